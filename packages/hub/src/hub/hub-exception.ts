/**
 * An error whose message is meant for the client: it is sent even when detailed
 * errors are off (ASP.NET Core's HubException). Any other error thrown by a hub
 * method reaches the client as a generic message unless `detailedErrors` is on.
 */
export class HubException extends Error {
  override readonly name = 'HubException';
}
