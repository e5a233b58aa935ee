import { type InvalidDataError, MessageTooLargeError } from './errors.js';

/** ASCII record separator ending every JSON record (and every handshake). */
export const RECORD_SEPARATOR = 0x1e;

/**
 * Calls `onRecord(start, end)` for each 0x1E-terminated record in `input[from..]`
 * and returns the offset after the last one.
 */
export function forEachTextRecord(
  input: Buffer,
  from: number,
  maxMessageSize: number,
  onRecord: (start: number, end: number) => void,
): number {
  let start = from;
  for (;;) {
    const end = input.indexOf(RECORD_SEPARATOR, start);
    if (end === -1) break;
    if (end - start > maxMessageSize) throw tooLarge(maxMessageSize);
    onRecord(start, end);
    start = end + 1;
  }
  if (input.length - start > maxMessageSize) throw tooLarge(maxMessageSize);
  return start;
}

export function tooLarge(maxMessageSize: number): InvalidDataError {
  return new MessageTooLargeError(`The maximum message size of ${maxMessageSize} bytes was exceeded.`);
}
