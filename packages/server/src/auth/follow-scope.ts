import type { Job } from '@tidings/jobs';

/**
 * What a follow token lets its holder read: one job, or every job with one tag
 * of one owner (`ownerId` null: jobs without an owner, or in open mode any
 * owner's). Nothing else: no listing, no cancel or retry, no other hub.
 */
export type FollowScope =
  | { readonly kind: 'job'; readonly jobId: string }
  | { readonly kind: 'tag'; readonly tag: string; readonly ownerId: string | null };

/** The audience claim that marks a follow token: a user token never has it, so the two cannot be mistaken for each other. */
export const FOLLOW_TOKEN_AUDIENCE = 'tidings:follow';

/** The claim a follow token carries its scope in. */
export const FOLLOW_SCOPE_CLAIM = 'tidings_follow';

/** The scope in a verified token's claims, or undefined when the token is not a follow token (or its scope is malformed). */
export function followScopeOf(claims: Readonly<Record<string, unknown>>): FollowScope | undefined {
  const audience = claims.aud;
  const marked = audience === FOLLOW_TOKEN_AUDIENCE || (Array.isArray(audience) && audience.includes(FOLLOW_TOKEN_AUDIENCE));
  if (!marked) return undefined;
  const scope = claims[FOLLOW_SCOPE_CLAIM] as Record<string, unknown> | undefined;
  if (!scope || typeof scope !== 'object') return undefined;
  if (scope.kind === 'job' && typeof scope.jobId === 'string') return { kind: 'job', jobId: scope.jobId };
  if (scope.kind === 'tag' && typeof scope.tag === 'string' && (typeof scope.ownerId === 'string' || scope.ownerId === null)) {
    return { kind: 'tag', tag: scope.tag, ownerId: scope.ownerId };
  }
  return undefined;
}

/** Whether `scope` covers `job`. */
export function scopeCovers(scope: FollowScope, job: Pick<Job, 'id' | 'ownerId' | 'tags'>, openMode: boolean): boolean {
  if (scope.kind === 'job') return job.id === scope.jobId;
  if (!job.tags.includes(scope.tag)) return false;
  // A tag token minted anonymously in open mode covers every owner's jobs with the tag, as open mode shows them all.
  return (openMode && scope.ownerId === null) || job.ownerId === scope.ownerId;
}
