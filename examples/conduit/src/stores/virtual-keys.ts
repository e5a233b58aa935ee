import { createHash, randomBytes } from 'node:crypto';
import type { Awaitable } from './awaitable.js';

/** A virtual key as stored: never the key itself, only its SHA-256. */
export interface VirtualKey {
  /** `Context.UserIdentifier` of its connections. */
  readonly id: string;
  readonly name: string;
  /** The first characters of the key, to tell keys apart in lists. */
  readonly keyPrefix: string;
  /** Spend limit in dollars; null for none. */
  readonly maxBudget: number | null;
  readonly currentSpend: number;
  readonly createdAt: string;
  readonly revokedAt: string | null;
}

/** Conduit's virtual keys start like this, so a hub can tell them from other tokens. */
export const VIRTUAL_KEY_PREFIX = 'condt_';

/**
 * Where Conduit's virtual keys live: a SQLite file of one node, or Redis for
 * every node of a scaled service. Keys are stored only as their SHA-256.
 */
export interface VirtualKeys {
  /** Issues a key; the returned `key` is shown once and never stored. */
  issue(name: string, maxBudget: number | null): Awaitable<{ key: string; virtualKey: VirtualKey }>;
  /** The active key `key` is, or undefined (unknown or revoked). */
  authenticate(key: string): Awaitable<VirtualKey | undefined>;
  get(id: string): Awaitable<VirtualKey | undefined>;
  list(): Awaitable<VirtualKey[]>;
  /** Revokes the key; undefined when there is no such key. Revoking twice keeps the first time. */
  revoke(id: string): Awaitable<VirtualKey | undefined>;
}

/** Spend is kept to a hundredth of a cent so repeated sums do not drift. */
export function roundCents(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}

/** The SHA-256 a key is stored and looked up as (a 256-bit random key needs no slow hash). */
export function keyDigest(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

/** A new key: 256 random bits; what is stored of it is its digest and its first characters. */
export function newVirtualKey(): { key: string; digest: Buffer; keyPrefix: string } {
  const key = `${VIRTUAL_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
  return { key, digest: keyDigest(key), keyPrefix: key.slice(0, VIRTUAL_KEY_PREFIX.length + 6) };
}
