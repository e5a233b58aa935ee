import { timingSafeEqual } from 'node:crypto';
import type Database from 'better-sqlite3';
import { VIRTUAL_KEY_PREFIX, type VirtualKey, type VirtualKeys, keyDigest, newVirtualKey, roundCents } from './stores/virtual-keys.js';

export { VIRTUAL_KEY_PREFIX, type VirtualKey, roundCents } from './stores/virtual-keys.js';

interface Row {
  id: number;
  name: string;
  key_hash: Buffer;
  key_prefix: string;
  max_budget: number | null;
  current_spend: number;
  created_at: string;
  revoked_at: string | null;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS virtual_keys (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  key_hash BLOB NOT NULL UNIQUE,
  key_prefix TEXT NOT NULL,
  max_budget REAL,
  current_spend REAL NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  revoked_at TEXT
);
`;

/**
 * Conduit's virtual keys in SQLite (one node; `RedisVirtualKeyStore` in scaled mode): 256 random bits each, stored as their SHA-256 (a
 * high-entropy key needs no slow hash), looked up by that hash and compared in
 * constant time. Revoked keys stay listed but no longer authenticate. Each key
 * also carries its spend so far and optional budget.
 */
export class VirtualKeyStore implements VirtualKeys {
  private readonly byHash: Database.Statement<[Buffer], Row>;
  private readonly byId: Database.Statement<[number], Row>;

  constructor(private readonly db: Database.Database) {
    db.exec(SCHEMA);
    this.byHash = db.prepare('SELECT * FROM virtual_keys WHERE key_hash = ?');
    this.byId = db.prepare('SELECT * FROM virtual_keys WHERE id = ?');
  }

  /** Issues a key; the returned `key` is shown once and never stored. */
  issue(name: string, maxBudget: number | null): { key: string; virtualKey: VirtualKey } {
    const { key, digest, keyPrefix } = newVirtualKey();
    const { lastInsertRowid } = this.db
      .prepare('INSERT INTO virtual_keys (name, key_hash, key_prefix, max_budget, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(name, digest, keyPrefix, maxBudget, new Date().toISOString());
    return { key, virtualKey: this.get(String(lastInsertRowid))! };
  }

  /** The active key `key` is, or undefined (unknown or revoked). */
  authenticate(key: string): VirtualKey | undefined {
    if (!key.startsWith(VIRTUAL_KEY_PREFIX)) return undefined;
    const hash = keyDigest(key);
    const row = this.byHash.get(hash);
    if (!row || !timingSafeEqual(row.key_hash, hash) || row.revoked_at !== null) return undefined;
    return fromRow(row);
  }

  get(id: string): VirtualKey | undefined {
    const numeric = Number(id);
    if (!Number.isSafeInteger(numeric) || numeric < 1) return undefined;
    const row = this.byId.get(numeric);
    return row ? fromRow(row) : undefined;
  }

  list(): VirtualKey[] {
    return (this.db.prepare('SELECT * FROM virtual_keys ORDER BY id').all() as Row[]).map(fromRow);
  }

  /** Revokes the key; undefined when there is no such key. Revoking twice keeps the first time. */
  revoke(id: string): VirtualKey | undefined {
    const key = this.get(id);
    if (!key) return undefined;
    this.db.prepare('UPDATE virtual_keys SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?').run(new Date().toISOString(), Number(id));
    return this.get(id);
  }

  /** Adds to the key's spend; returns the totals before and after. */
  addSpend(id: string, amount: number): { previous: number; current: number } | undefined {
    return this.db.transaction(() => {
      const key = this.get(id);
      if (!key) return undefined;
      const current = roundCents(key.currentSpend + amount);
      this.db.prepare('UPDATE virtual_keys SET current_spend = ? WHERE id = ?').run(current, Number(id));
      return { previous: key.currentSpend, current };
    })();
  }
}

function fromRow(row: Row): VirtualKey {
  return {
    id: String(row.id),
    name: row.name,
    keyPrefix: row.key_prefix,
    maxBudget: row.max_budget,
    currentSpend: row.current_spend,
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
  };
}
