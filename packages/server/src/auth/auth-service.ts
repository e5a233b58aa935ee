import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { type Authenticator, type HubUser, RequestInfo, bearerToken, createJwtVerifier } from '@tidings/hub';
import { SignJWT } from 'jose';
import { ANONYMOUS, type Identity, identityOf } from './identity.js';

export type AuthMode = 'open' | 'jwt';

/** Why a request is refused: no token where one is required, or a token that does not verify. */
export class Unauthenticated extends Error {
  override readonly name = 'Unauthenticated';
}

const DEV_TOKEN_LIFETIME_SECONDS = 8 * 60 * 60;

/**
 * Authentication for REST and hubs alike. With a JWT secret every request
 * needs a valid HS256 token whose user id is in `sub`, `UserId` or `nameid`.
 * Without one the service is open (anonymous allowed) and signs development
 * tokens with a key made at start. A token that is present but invalid is
 * refused in both modes: expired, badly signed and `alg: none` tokens alike.
 */
export class AuthService {
  readonly mode: AuthMode;
  private readonly secret: Uint8Array;
  private readonly verify: (token: string) => Promise<HubUser | null>;

  constructor(jwtSecret: string | undefined) {
    this.mode = jwtSecret ? 'jwt' : 'open';
    this.secret = jwtSecret ? new TextEncoder().encode(jwtSecret) : randomBytes(32);
    this.verify = createJwtVerifier({ secret: this.secret });
  }

  /** The caller behind `token`; throws Unauthenticated when it may not proceed. */
  async identify(token: string | undefined): Promise<Identity> {
    if (!token) {
      if (this.mode === 'open') return ANONYMOUS;
      throw new Unauthenticated('A bearer token is required.');
    }
    const user = await this.verify(token);
    if (!user) throw new Unauthenticated('The bearer token is invalid or expired.');
    if (!user.id) throw new Unauthenticated('The bearer token names no user (sub, UserId or nameid).');
    return identityOf(user);
  }

  /** For hub negotiate and connect: same rules (401 when refused). */
  readonly hubAuthenticator: Authenticator = async (_request, token) => {
    try {
      const identity = await this.identify(token);
      return { id: identity.userId, name: identity.name, claims: identity.claims };
    } catch (error) {
      if (error instanceof Unauthenticated) return null;
      throw error;
    }
  };

  /** The bearer token of a REST request: the Authorization header (or `access_token` query, as for hubs). */
  tokenOf(request: IncomingMessage): string | undefined {
    return bearerToken(RequestInfo.from(request));
  }

  /** A development token for `userId` (open mode only). */
  async issueDevToken(userId: string, name?: string): Promise<{ token: string; expiresAt: string }> {
    if (this.mode !== 'open') throw new Error('Development tokens exist only in open mode.');
    const expiresAt = new Date(Date.now() + DEV_TOKEN_LIFETIME_SECONDS * 1000);
    const token = await new SignJWT({ UserId: userId, name: name ?? userId })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(userId)
      .setIssuedAt()
      .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
      .sign(this.secret);
    return { token, expiresAt: expiresAt.toISOString() };
  }
}
