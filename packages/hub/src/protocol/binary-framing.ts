import { InvalidDataError } from './errors.js';
import { tooLarge } from './text-framing.js';

/** Longest VarInt the spec allows: 5 bytes, enough for 2^31 - 1. */
const MAX_VARINT_BYTES = 5;

/**
 * Calls `onRecord(start, end)` for each VarInt-length-prefixed record in
 * `input[from..]` and returns the offset after the last complete one.
 */
export function forEachBinaryRecord(
  input: Buffer,
  from: number,
  maxMessageSize: number,
  onRecord: (start: number, end: number) => void,
): number {
  let offset = from;
  while (offset < input.length) {
    let length = 0;
    let shift = 0;
    let pos = offset;
    let complete = false;
    while (pos < input.length) {
      const byte = input[pos++]!;
      length += (byte & 0x7f) * 2 ** shift;
      shift += 7;
      if ((byte & 0x80) === 0) {
        complete = true;
        break;
      }
      if (pos - offset >= MAX_VARINT_BYTES) throw new InvalidDataError('Messages over 2GB in size are not supported.');
    }
    if (!complete) break;
    if (length > maxMessageSize) throw tooLarge(maxMessageSize);
    if (input.length - pos < length) break;
    onRecord(pos, pos + length);
    offset = pos + length;
  }
  return offset;
}

/** Number of bytes the VarInt encoding of `length` occupies. */
export function varIntSize(length: number): number {
  let size = 1;
  while (length >= 0x80) {
    length = Math.floor(length / 128);
    size++;
  }
  return size;
}

/** Writes `length` as a VarInt at `target[offset]`; returns the offset after it. */
export function writeVarInt(target: Buffer, offset: number, length: number): number {
  while (length >= 0x80) {
    target[offset++] = (length & 0x7f) | 0x80;
    length = Math.floor(length / 128);
  }
  target[offset++] = length;
  return offset;
}
