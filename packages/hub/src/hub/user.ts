/** The authenticated user of a connection. */
export interface HubUser {
  /** The user identifier `clients.user(id)` addresses; usually the token's subject. */
  readonly id: string | undefined;
  readonly name?: string;
  /** Every claim of the token (or whatever the authenticator vouches for). */
  readonly claims: Readonly<Record<string, unknown>>;
}
