import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Authenticator, HubUser } from '@tidings/hub';
import type { FailedAuthThrottle } from '@tidings/server';
import type { VirtualKey, VirtualKeys } from './stores/virtual-keys.js';

export type ConduitScheme = 'VirtualKey' | 'MasterKey';

/** The scheme a Conduit connection authenticated with, from its user's claims. */
export function schemeOf(user: HubUser | undefined): ConduitScheme | undefined {
  const scheme = user?.claims.scheme;
  return scheme === 'VirtualKey' || scheme === 'MasterKey' ? scheme : undefined;
}

export function virtualKeyUser(key: VirtualKey): HubUser {
  return { id: key.id, name: key.name, claims: { scheme: 'VirtualKey', virtualKeyId: key.id, virtualKeyName: key.name } };
}

const MASTER_USER: HubUser = { id: 'master', name: 'Master key', claims: { scheme: 'MasterKey' } };

/** A master key for development, when CONDUIT_MASTER_KEY is not set. */
export function generateMasterKey(): string {
  return `mk_${randomBytes(24).toString('base64url')}`;
}

/** Where a generated master key is kept: readable by the service's user alone, never printed in the log. */
export const MASTER_KEY_FILE = 'conduit-master-key';

/** Writes a generated master key to `dataDir`/conduit-master-key with mode 0600; returns the path. */
export function writeMasterKeyFile(dataDir: string, key: string): string {
  const path = join(dataDir, MASTER_KEY_FILE);
  writeFileSync(path, `${key}\n`, { mode: 0o600 });
  // The mode only applies when the file is created: a file left by an earlier run is tightened too.
  chmodSync(path, 0o600);
  return path;
}

/**
 * Conduit's two schemes, both taken as bearer tokens (`accessTokenFactory`,
 * the Authorization header, or `X-API-Key` over REST): a virtual key (the
 * user identifier is the key's id) for the user hubs, the master key for the
 * admin hub and the admin REST API.
 */
export class ConduitAuth {
  private readonly masterDigest: Buffer;
  /** The user hubs' authenticator (under the service's failed-authentication throttle, when given). */
  readonly virtualKeyAuthenticator: Authenticator;
  /** The admin hub's, likewise. */
  readonly masterKeyAuthenticator: Authenticator;

  constructor(
    private readonly keys: VirtualKeys,
    masterKey: string,
    failures?: FailedAuthThrottle,
  ) {
    this.masterDigest = digest(masterKey);
    const guard = (authenticate: Authenticator) => (failures ? failures.guardHub(authenticate) : authenticate);
    this.virtualKeyAuthenticator = guard(async (_request, token) => {
      const key = await this.virtualKey(token);
      return key ? virtualKeyUser(key) : null;
    });
    this.masterKeyAuthenticator = guard((_request, token) => (this.isMasterKey(token) ? MASTER_USER : null));
  }

  /** Constant-time: the digests are compared, so the key's length leaks nothing either. */
  isMasterKey(token: string | undefined): boolean {
    return token !== undefined && timingSafeEqual(digest(token), this.masterDigest);
  }

  async virtualKey(token: string | undefined): Promise<VirtualKey | undefined> {
    return token ? this.keys.authenticate(token) : undefined;
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
