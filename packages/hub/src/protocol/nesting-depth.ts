import { InvalidDataError } from './errors.js';

/** ASP.NET Core reads hub messages with System.Text.Json's default maximum depth. */
export const DEFAULT_MAX_MESSAGE_DEPTH = 64;

function depthExceeded(maxDepth: number): InvalidDataError {
  return new InvalidDataError(`The message is nested deeper than the maximum of ${maxDepth} levels.`);
}

/**
 * Throws if a parsed JSON value nests arrays and objects deeper than `maxDepth`
 * (the message object itself is level 1). V8's JSON.parse reads any depth without
 * recursing, but every later step that does (re-encoding a result, the hub's own
 * code) could overflow the stack. The walk stops at the limit, so it recurses at
 * most `maxDepth` frames, and costs about a tenth of the parse it follows.
 */
export function checkValueDepth(value: unknown, maxDepth: number): void {
  if (deeperThan(value, maxDepth)) throw depthExceeded(maxDepth);
}

function deeperThan(value: unknown, levels: number): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (levels === 0) return true;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (deeperThan(value[i], levels - 1)) return true;
    return false;
  }
  const record = value as Record<string, unknown>;
  for (const key in record) if (deeperThan(record[key], levels - 1)) return true;
  return false;
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
