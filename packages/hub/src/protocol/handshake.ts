import { InvalidDataError } from './errors.js';
import type { HandshakeRequest } from './messages.js';
import { RECORD_SEPARATOR, tooLarge } from './text-framing.js';

const SUCCESS_RESPONSE = Buffer.from('{}\x1e');

export interface ParsedHandshake {
  readonly request: HandshakeRequest;
  /** Offset just after the handshake record. */
  readonly end: number;
}

/**
 * Reads the JSON handshake record that opens every connection, whatever protocol it asks for.
 * Returns `null` while the record is incomplete.
 */
export function parseHandshakeRequest(input: Buffer, start: number, maxSize: number): ParsedHandshake | null {
  const end = input.indexOf(RECORD_SEPARATOR, start);
  if (end === -1) {
    if (input.length - start > maxSize) throw tooLarge(maxSize);
    return null;
  }
  if (end - start > maxSize) throw tooLarge(maxSize);
  let value: unknown;
  try {
    value = JSON.parse(input.toString('utf8', start, end));
  } catch {
    throw new InvalidDataError('Handshake request is not valid JSON.');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidDataError('Handshake request must be a JSON object.');
  }
  const { protocol, version } = value as Record<string, unknown>;
  if ('type' in (value as object)) throw new InvalidDataError('Expected a handshake request, not a hub message.');
  if (typeof protocol !== 'string') throw new InvalidDataError("Handshake request is missing the 'protocol' property.");
  if (typeof version !== 'number' || !Number.isInteger(version)) {
    throw new InvalidDataError("Handshake request is missing the 'version' property.");
  }
  return { request: { protocol, version }, end: end + 1 };
}

export function writeHandshakeResponse(error?: string): Buffer {
  if (error === undefined) return SUCCESS_RESPONSE;
  return Buffer.from(`${JSON.stringify({ error })}\x1e`);
}
