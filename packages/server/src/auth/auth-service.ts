import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { type Authenticator, type HubUser, RequestInfo, bearerToken, createJwtVerifier } from '@tidings/hub';
import { SignJWT } from 'jose';
import { FOLLOW_SCOPE_CLAIM, FOLLOW_TOKEN_AUDIENCE, type FollowScope, followScopeOf } from './follow-scope.js';
import { ANONYMOUS, type Identity, identityOf } from './identity.js';
import { FailedAuthThrottle, type FailedAuthThrottleOptions } from './failed-auth-throttle.js';
import { UserIdRule } from './user-id-rule.js';

export type AuthMode = 'open' | 'jwt';

/** Why a request is refused: no token where one is required, or a token that does not verify. */
export class Unauthenticated extends Error {
  override readonly name = 'Unauthenticated';
}

const DEV_TOKEN_LIFETIME_SECONDS = 8 * 60 * 60;

export interface AuthOptions {
  /** `JWT_USER_ID_CLAIMS`: the claims a user id is read from, in order. Default `sub`, `UserId`. */
  readonly userIdClaims?: readonly string[];
  /** `JWT_REQUIRE_EXP`: refuse tokens without an `exp` claim (they would be valid forever). Default true. */
  readonly requireExpiry?: boolean;
  /** `AUTH_FAILURE_LIMIT` and `AUTH_FAILURE_WINDOW_SECONDS`: failed authentications per client IP. */
  readonly failedAuth?: FailedAuthThrottleOptions;
}

/**
 * Authentication for REST and hubs alike. With a JWT secret every request
 * needs a valid HS256 token whose user id one rule (`UserIdRule`) reads from
 * its claims. Without one the service is open (anonymous allowed) and signs
 * development tokens with a key made at start. A token that is present but
 * invalid is refused in both modes: expired, badly signed, `alg: none`, without
 * `exp` (unless allowed) and with user claims that disagree alike.
 */
export class AuthService {
  readonly mode: AuthMode;
  readonly userIdRule: UserIdRule;
  /** Failed authentications per client IP, shared by every REST credential and the JWT hubs. */
  readonly failures: FailedAuthThrottle;
  private readonly requireExpiry: boolean;
  private readonly secret: Uint8Array;
  private readonly verify: (token: string) => Promise<HubUser | null>;

  constructor(jwtSecret: string | undefined, options: AuthOptions = {}) {
    this.mode = jwtSecret ? 'jwt' : 'open';
    this.secret = jwtSecret ? new TextEncoder().encode(jwtSecret) : randomBytes(32);
    this.userIdRule = new UserIdRule(options.userIdClaims);
    this.requireExpiry = options.requireExpiry ?? true;
    this.failures = new FailedAuthThrottle(options.failedAuth);
    this.verify = createJwtVerifier({ secret: this.secret });
    const hubAuthenticator = (followTokens: boolean): Authenticator =>
      this.failures.guardHub(async (_request, token) => {
        try {
          const identity = await this.identify(token, { followTokens });
          return { id: identity.userId, name: identity.name, claims: identity.claims };
        } catch (error) {
          if (error instanceof Unauthenticated) return null;
          throw error;
        }
      });
    this.hubAuthenticator = hubAuthenticator(false);
    this.followHubAuthenticator = hubAuthenticator(true);
  }

  /**
   * The caller behind `token`; throws Unauthenticated when it may not proceed.
   * A follow token is refused unless `followTokens` is set: only
   * `/hubs/job-progress` and the job-reading REST routes accept one.
   */
  async identify(token: string | undefined, options: { readonly followTokens?: boolean } = {}): Promise<Identity> {
    if (!token) {
      if (this.mode === 'open') return ANONYMOUS;
      throw new Unauthenticated('A bearer token is required.');
    }
    const user = await this.verify(token);
    if (!user) throw new Unauthenticated('The bearer token is invalid or expired.');
    if (this.requireExpiry && typeof user.claims.exp !== 'number') throw new Unauthenticated('The bearer token has no exp claim: tokens must expire.');
    if (user.claims.aud !== undefined && followScopeOf(user.claims) === undefined && hasAudience(user.claims.aud, FOLLOW_TOKEN_AUDIENCE)) {
      throw new Unauthenticated('The follow token is malformed.');
    }
    if (followScopeOf(user.claims)) {
      if (!options.followTokens) throw new Unauthenticated('A follow token only follows its job or tag on /hubs/job-progress and GET /api/v1/jobs/:id(/events).');
      return identityOf(user);
    }
    const resolved = this.userIdRule.resolve(user.claims);
    if ('problem' in resolved) throw new Unauthenticated(resolved.problem);
    return { userId: resolved.userId, name: user.name, claims: user.claims };
  }

  /**
   * For hub negotiate and connect: same rules (401 when refused), under the
   * failed-authentication throttle (the hub answers an IP past the limit with
   * 401, not REST's 429 with Retry-After).
   */
  readonly hubAuthenticator: Authenticator;

  /** As `hubAuthenticator`, but a follow token is accepted too (`/hubs/job-progress` only). */
  readonly followHubAuthenticator: Authenticator;

  /** The bearer token of a REST request: the Authorization header (or `access_token` query, as for hubs). */
  tokenOf(request: IncomingMessage): string | undefined {
    return bearerToken(RequestInfo.from(request));
  }

  /**
   * A short-lived token that lets its holder follow `scope` and read nothing
   * else. Signed with the service's key like every token, but marked by its
   * audience (`tidings:follow`) and carrying no user claim: it is never taken
   * for a user token, and a user token is never taken for one.
   */
  async issueFollowToken(scope: FollowScope, lifetimeSeconds: number): Promise<{ token: string; expiresAt: string }> {
    const exp = Math.floor(Date.now() / 1000) + lifetimeSeconds;
    const expiresAt = new Date(exp * 1000);
    const token = await new SignJWT({ [FOLLOW_SCOPE_CLAIM]: { ...scope } })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setAudience(FOLLOW_TOKEN_AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(exp)
      .sign(this.secret);
    return { token, expiresAt: expiresAt.toISOString() };
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

function hasAudience(audience: unknown, wanted: string): boolean {
  return audience === wanted || (Array.isArray(audience) && audience.includes(wanted));
}
