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
   * Throws InvalidDataError for malformed records, one larger than `maxMessageSize`,
   * or one whose arrays and objects nest deeper than `maxDepth` (the message itself is level 1).
   */
  parseMessages(input: Buffer, start: number, maxMessageSize: number, out: HubMessage[], maxDepth?: number): number;
  /** Encodes one message as a complete, framed record. */
  writeMessage(message: HubMessage): Buffer;
}
