/** The claims the service reads a user id from when nothing is configured: `sub`, then `UserId` (YoutubeRag's claim). */
export const DEFAULT_USER_ID_CLAIMS: readonly string[] = ['sub', 'UserId'];

/** A user id, or why a token's claims name none (or more than one). */
export type UserIdResolution = { readonly userId: string } | { readonly problem: string };

/**
 * The one rule that turns a verified token's claims into a user id, for REST
 * and every hub alike: the configured claims in order, and every one of them
 * that is present must name the same user. A token `{sub: "bob", UserId:
 * "alice"}` is refused rather than read as bob by one surface and alice by
 * another (which let one token act as two users).
 */
export class UserIdRule {
  readonly claims: readonly string[];

  constructor(claims: readonly string[] = DEFAULT_USER_ID_CLAIMS) {
    if (claims.length === 0) throw new RangeError('At least one user id claim is needed.');
    this.claims = [...claims];
  }

  resolve(payload: Readonly<Record<string, unknown>>): UserIdResolution {
    let userId: string | undefined;
    let from: string | undefined;
    for (const claim of this.claims) {
      const value = payload[claim];
      if (value === undefined || value === null) continue;
      const id = typeof value === 'string' ? value : typeof value === 'number' && Number.isFinite(value) ? String(value) : undefined;
      if (!id) return { problem: `The bearer token's ${claim} claim is not a user id.` };
      if (userId === undefined) {
        userId = id;
        from = claim;
      } else if (id !== userId) {
        return { problem: `The bearer token's user claims disagree (${from} and ${claim} name different users).` };
      }
    }
    return userId === undefined ? { problem: `The bearer token names no user (${this.claims.join(' or ')}).` } : { userId };
  }
}
