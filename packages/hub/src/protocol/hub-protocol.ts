import type { HubMessage } from './messages.js';

export type TransferFormat = 'Text' | 'Binary';

/**
 * One wire encoding of hub messages (JSON or MessagePack), including its record
 * framing. Implementations are stateless and shared by every connection.
 */
export interface HubProtocol {
  readonly name: string;
  /** Highest protocol version understood; version 2 enables stateful reconnect. */
  readonly version: number;
  readonly transferFormat: TransferFormat;
  /**
   * Parses every complete record in `input[start..]` into `out`.
   * Returns the offset just after the last complete record; bytes after it are
   * an unfinished record the caller keeps until more data arrives.
   * Throws InvalidDataError for malformed records or one larger than `maxMessageSize`.
   */
  parseMessages(input: Buffer, start: number, maxMessageSize: number, out: HubMessage[]): number;
  /** Encodes one message as a complete, framed record. */
  writeMessage(message: HubMessage): Buffer;
}
