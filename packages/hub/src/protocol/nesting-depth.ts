import { InvalidDataError } from './errors.js';

/** ASP.NET Core reads hub messages with System.Text.Json's default maximum depth. */
export const DEFAULT_MAX_MESSAGE_DEPTH = 64;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;

export function depthExceeded(maxDepth: number): InvalidDataError {
  return new InvalidDataError(`The message is nested deeper than the maximum of ${maxDepth} levels.`);
}

/**
 * Throws if the JSON text in `input[from..to]` nests arrays and objects deeper
 * than `maxDepth` (the message object itself is level 1). A deep message would
 * parse, but every later step that recurses (re-encoding, the hub's own code)
 * could overflow the stack. Most messages have fewer brackets than the limit and
 * are cleared by a native count; only the others are walked byte by byte.
 */
export function checkJsonDepth(input: Buffer, from: number, to: number, maxDepth: number): void {
  const text = input.subarray(from, to);
  if (countUpTo(text, OPEN_ARRAY, maxDepth + 1) + countUpTo(text, OPEN_OBJECT, maxDepth + 1) <= maxDepth) return;
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const byte = text[i]!;
    if (byte === QUOTE) {
      i = closingQuote(text, i + 1);
      if (i === -1) return; // unterminated: JSON.parse reports it
    } else if (byte === OPEN_ARRAY || byte === OPEN_OBJECT) {
      if (++depth > maxDepth) throw depthExceeded(maxDepth);
    } else if (byte === CLOSE_ARRAY || byte === CLOSE_OBJECT) {
      depth--;
    }
  }
}

/** Occurrences of `byte`, counting no further than `limit`. */
function countUpTo(text: Buffer, byte: number, limit: number): number {
  let count = 0;
  for (let i = text.indexOf(byte); i !== -1 && count < limit; i = text.indexOf(byte, i + 1)) count++;
  return count;
}

/** Index of the quote ending a string whose contents start at `from`, or -1. */
function closingQuote(text: Buffer, from: number): number {
  for (let i = text.indexOf(QUOTE, from); i !== -1; i = text.indexOf(QUOTE, i + 1)) {
    let backslashes = 0;
    while (text[i - 1 - backslashes] === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return i;
  }
  return -1;
}

/**
 * Walks the MessagePack headers in `input[from..to]` without decoding values and
 * throws if arrays and maps nest deeper than `maxDepth`, or if any header claims
 * more bytes or elements than the record holds (a string "of 4 GB" in a 20-byte
 * record). The decoder then never allocates for a length the record cannot have.
 */
export function checkMessagePackDepth(input: Buffer, from: number, to: number, maxDepth: number): void {
  const parents: number[] = [];
  let remaining = 1;
  let pos = from;
  for (;;) {
    while (remaining === 0) {
      if (parents.length === 0) return;
      remaining = parents.pop()!;
    }
    if (pos >= to) return; // truncated: the decoder reports it
    remaining--;
    const head = input[pos++]!;
    let elements = -1;
    let skip = 0;
    if (head <= 0x7f || head >= 0xe0) skip = 0; // fixint
    else if (head <= 0x8f) elements = (head & 0x0f) * 2; // fixmap
    else if (head <= 0x9f) elements = head & 0x0f; // fixarray
    else if (head <= 0xbf) skip = head & 0x1f; // fixstr
    else {
      const available = to - pos;
      const width = LENGTH_WIDTH[head - 0xc0]!;
      if (width > available) return; // truncated header: the decoder reports it
      const length = width === 1 ? input[pos]! : width === 2 ? input.readUInt16BE(pos) : width === 4 ? input.readUInt32BE(pos) : 0;
      pos += width;
      switch (head) {
        case 0xc4: case 0xc5: case 0xc6: // bin
        case 0xd9: case 0xda: case 0xdb: // str
          skip = length;
          break;
        case 0xc7: case 0xc8: case 0xc9: // ext: a type byte, then the data
          skip = length + 1;
          break;
        case 0xdc: case 0xdd: // array 16/32
          elements = length;
          break;
        case 0xde: case 0xdf: // map 16/32
          elements = length * 2;
          break;
        default:
          skip = FIXED_SIZE[head - 0xc0]!;
      }
    }
    if (elements >= 0) {
      // Every element takes at least one byte.
      if (elements > to - pos) throw new InvalidDataError(`A MessagePack header declares ${elements} elements but only ${to - pos} bytes follow.`);
      if (parents.length + 1 > maxDepth) throw depthExceeded(maxDepth);
      parents.push(remaining);
      remaining = elements;
      continue;
    }
    if (skip > to - pos) throw new InvalidDataError(`A MessagePack header declares ${skip} bytes but only ${to - pos} follow.`);
    pos += skip;
  }
}

/** Bytes of the length field after each header byte from 0xc0. */
const LENGTH_WIDTH: readonly number[] = (() => {
  const widths = new Array<number>(0x20).fill(0);
  for (const [head, width] of [[0xc4, 1], [0xc5, 2], [0xc6, 4], [0xc7, 1], [0xc8, 2], [0xc9, 4], [0xd9, 1], [0xda, 2], [0xdb, 4], [0xdc, 2], [0xdd, 4], [0xde, 2], [0xdf, 4]] as const) {
    widths[head - 0xc0] = width;
  }
  return widths;
})();

/** Bytes following each fixed-size header byte from 0xc0 (nil, bool, numbers, fixext). */
const FIXED_SIZE: readonly number[] = (() => {
  const sizes = new Array<number>(0x20).fill(0);
  for (const [head, size] of [[0xca, 4], [0xcb, 8], [0xcc, 1], [0xcd, 2], [0xce, 4], [0xcf, 8], [0xd0, 1], [0xd1, 2], [0xd2, 4], [0xd3, 8], [0xd4, 2], [0xd5, 3], [0xd6, 5], [0xd7, 9], [0xd8, 17]] as const) {
    sizes[head - 0xc0] = size;
  }
  return sizes;
})();
