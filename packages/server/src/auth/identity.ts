import type { HubUser } from '@tidings/hub';

/** Who is calling: a user from a verified token, or anonymous (open mode only). */
export interface Identity {
  /** Undefined when anonymous. */
  readonly userId: string | undefined;
  readonly name: string | undefined;
  readonly claims: Readonly<Record<string, unknown>>;
}

export const ANONYMOUS: Identity = { userId: undefined, name: undefined, claims: {} };

export function identityOf(user: HubUser): Identity {
  return { userId: user.id, name: user.name, claims: user.claims };
}
