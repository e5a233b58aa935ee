/**
 * A peer sent bytes that break the hub protocol. The connection that sent them
 * is closed with this message; no other connection is affected.
 */
export class InvalidDataError extends Error {
  // ASP.NET's name for it: clients read it in Close messages ("InvalidDataException: …").
  override readonly name = 'InvalidDataException';
}

/** A message over `maxReceiveMessageSize`: protocol-wise invalid data, counted apart as an oversize close. */
export class MessageTooLargeError extends InvalidDataError {}
