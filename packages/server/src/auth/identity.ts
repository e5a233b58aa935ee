import type { HubUser } from '@tidings/hub';
import { type FollowScope, followScopeOf } from './follow-scope.js';

/** Who is calling: a user from a verified token, the holder of a follow token, or anonymous (open mode only). */
export interface Identity {
  /** Undefined when anonymous or following with a follow token. */
  readonly userId: string | undefined;
  readonly name: string | undefined;
  readonly claims: Readonly<Record<string, unknown>>;
  /** Set for a follow token: the only jobs its holder may read. */
  readonly follow?: FollowScope;
}

export const ANONYMOUS: Identity = { userId: undefined, name: undefined, claims: {} };

export function identityOf(user: HubUser): Identity {
  const follow = followScopeOf(user.claims);
  return follow ? { userId: undefined, name: undefined, claims: user.claims, follow } : { userId: user.id, name: user.name, claims: user.claims };
}
