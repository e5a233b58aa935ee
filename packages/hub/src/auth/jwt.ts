import { type JWTPayload, type JWTVerifyGetKey, createRemoteJWKSet, jwtVerify } from 'jose';
import type { Authenticator } from '../server/hub-options.js';
import type { HubUser } from '../hub/user.js';

export interface JwtAuthenticationOptions {
  /** HS256 shared secret. */
  readonly secret?: string | Uint8Array;
  /** Or a JWKS endpoint for asymmetric keys (RS256, ES256, …). */
  readonly jwksUrl?: string;
  readonly issuer?: string | string[];
  readonly audience?: string | string[];
  /** Claims tried, in order, for the user id. Default: `sub`, `UserId`, `nameid`, the .NET name-identifier URI. */
  readonly userIdClaims?: readonly string[];
  /** Allowed algorithms. Default: HS256 with a secret; RS256/ES256/PS256/EdDSA with a JWKS. `none` is never allowed. */
  readonly algorithms?: readonly string[];
  /** Tolerated clock skew in seconds. Default 30. */
  readonly clockToleranceSeconds?: number;
}

const NAME_IDENTIFIER = 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/nameidentifier';
const DEFAULT_USER_ID_CLAIMS = ['sub', 'UserId', 'userId', 'nameid', NAME_IDENTIFIER];

/**
 * Verifies bearer JWTs (signature, expiry, not-before, issuer, audience) with
 * `jose`. Unsigned tokens (`alg: none`), bad signatures and expired tokens all
 * yield `null`, which the hub answers with 401.
 */
export function jwtAuthentication(options: JwtAuthenticationOptions): Authenticator {
  const verify = createJwtVerifier(options);
  return async (_request, token) => (token ? verify(token) : null);
}

/** The verification behind `jwtAuthentication`, for REST routes that take the same tokens. */
export function createJwtVerifier(options: JwtAuthenticationOptions): (token: string) => Promise<HubUser | null> {
  if (!options.secret && !options.jwksUrl) throw new Error('jwtAuthentication needs a secret or a jwksUrl.');
  const key: Uint8Array | JWTVerifyGetKey = options.secret
    ? typeof options.secret === 'string'
      ? new TextEncoder().encode(options.secret)
      : options.secret
    : createRemoteJWKSet(new URL(options.jwksUrl!));
  const algorithms = [...(options.algorithms ?? (options.secret ? ['HS256'] : ['RS256', 'ES256', 'PS256', 'EdDSA']))].filter(
    (alg) => alg.toLowerCase() !== 'none',
  );
  const claims = options.userIdClaims ?? DEFAULT_USER_ID_CLAIMS;
  return async (token) => {
    let payload: JWTPayload;
    try {
      const verified =
        key instanceof Uint8Array
          ? await jwtVerify(token, key, verifyOptions(options, algorithms))
          : await jwtVerify(token, key, verifyOptions(options, algorithms));
      payload = verified.payload;
    } catch {
      return null;
    }
    return userFromClaims(payload, claims);
  };
}

function verifyOptions(options: JwtAuthenticationOptions, algorithms: string[]) {
  return {
    algorithms,
    issuer: options.issuer,
    audience: options.audience,
    clockTolerance: options.clockToleranceSeconds ?? 30,
  };
}

export function userFromClaims(payload: Record<string, unknown>, idClaims: readonly string[] = DEFAULT_USER_ID_CLAIMS): HubUser {
  let id: string | undefined;
  for (const claim of idClaims) {
    const value = payload[claim];
    if (typeof value === 'string' && value) {
      id = value;
      break;
    }
    if (typeof value === 'number') {
      id = String(value);
      break;
    }
  }
  const name = typeof payload.name === 'string' ? payload.name : typeof payload.unique_name === 'string' ? payload.unique_name : undefined;
  return { id, name, claims: payload };
}
