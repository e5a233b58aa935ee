import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Authenticator, HubUser } from '@tidings/hub';
import type { VirtualKey, VirtualKeyStore } from './virtual-key-store.js';

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

/**
 * Conduit's two schemes, both taken as bearer tokens (`accessTokenFactory`,
 * the Authorization header, or `X-API-Key` over REST): a virtual key (the
 * user identifier is the key's id) for the user hubs, the master key for the
 * admin hub and the admin REST API.
 */
export class ConduitAuth {
  private readonly masterDigest: Buffer;

  constructor(
    private readonly keys: VirtualKeyStore,
    masterKey: string,
  ) {
    this.masterDigest = digest(masterKey);
  }

  /** Constant-time: the digests are compared, so the key's length leaks nothing either. */
  isMasterKey(token: string | undefined): boolean {
    return token !== undefined && timingSafeEqual(digest(token), this.masterDigest);
  }

  virtualKey(token: string | undefined): VirtualKey | undefined {
    return token ? this.keys.authenticate(token) : undefined;
  }

  readonly virtualKeyAuthenticator: Authenticator = (_request, token) => {
    const key = this.virtualKey(token);
    return key ? virtualKeyUser(key) : null;
  };

  readonly masterKeyAuthenticator: Authenticator = (_request, token) => (this.isMasterKey(token) ? MASTER_USER : null);
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
