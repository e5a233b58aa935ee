import { InvalidDataError } from './errors.js';
import type { HubProtocol } from './hub-protocol.js';
import { DEFAULT_MAX_MESSAGE_DEPTH, checkValueDepth } from './nesting-depth.js';
import { type HubMessage, type MessageHeaders, MessageType } from './messages.js';
import { systemTextJsonDate } from './json-date.js';
import { forEachTextRecord } from './text-framing.js';

const SEPARATOR = '\x1e';
const PING_RECORD = Buffer.from(`{"type":6}${SEPARATOR}`);

/**
 * Writes values as ASP.NET Core's JSON (System.Text.Json) does where JavaScript's
 * default differs: byte arrays as base64 strings, dates in System.Text.Json's
 * round-trip form. `this[key]` is the value before `toJSON`, so Buffers are
 * caught before they become `{type: "Buffer", data: [...]}`, and a Date is known
 * even though `value` is already its ISO string. The replacer already runs for
 * every value, so dates cost the common path one more type check.
 */
function replaceValues(this: Record<string, unknown>, key: string, value: unknown): unknown {
  const raw = this[key];
  if (raw instanceof Uint8Array) return Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('base64');
  if (raw instanceof Date && typeof value === 'string') return systemTextJsonDate(value);
  return value;
}

export function toJsonRecord(value: object): Buffer {
  return Buffer.from(JSON.stringify(value, replaceValues) + SEPARATOR);
}

/** The JSON hub protocol: one JSON object per 0x1E-terminated record. */
export class JsonHubProtocol implements HubProtocol {
  readonly name = 'json';
  readonly version = 2;
  readonly transferFormat = 'Text' as const;

  parseMessages(input: Buffer, start: number, maxMessageSize: number, out: HubMessage[], maxDepth = DEFAULT_MAX_MESSAGE_DEPTH): number {
    return forEachTextRecord(input, start, maxMessageSize, (from, to) => {
      let value: unknown;
      try {
        value = JSON.parse(input.toString('utf8', from, to));
      } catch (error) {
        throw new InvalidDataError(`Error reading JSON: ${(error as Error).message}`);
      }
      checkValueDepth(value, maxDepth);
      const message = toHubMessage(value);
      if (message) out.push(message);
    });
  }

  writeMessage(message: HubMessage): Buffer {
    switch (message.type) {
      case MessageType.Ping:
        return PING_RECORD;
      case MessageType.Completion: {
        const { hasResult, result, ...rest } = message;
        if (rest.error !== undefined) return toJsonRecord(withoutEmptyHeaders(rest));
        if (hasResult || result !== undefined) return toJsonRecord({ ...withoutEmptyHeaders(rest), result: result ?? null });
        return toJsonRecord(withoutEmptyHeaders(rest));
      }
      case MessageType.Invocation:
      case MessageType.StreamInvocation: {
        const { streamIds, ...rest } = message;
        const body = streamIds && streamIds.length > 0 ? { ...rest, streamIds } : rest;
        return toJsonRecord(withoutEmptyHeaders(body));
      }
      default:
        return toJsonRecord(withoutEmptyHeaders(message));
    }
  }
}

function withoutEmptyHeaders<T extends object>(message: T): T {
  const headers = (message as { headers?: MessageHeaders }).headers;
  if (headers && Object.keys(headers).length === 0) {
    const { headers: _unused, ...rest } = message as T & { headers?: MessageHeaders };
    return rest as T;
  }
  return message;
}

/** Validates a decoded JSON value as a hub message; `null` for unknown (future) message types. */
function toHubMessage(value: unknown): HubMessage | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidDataError('Expected a JSON object as a hub message.');
  }
  const raw = value as Record<string, unknown>;
  const type = raw.type;
  if (typeof type !== 'number') throw new InvalidDataError("Missing required property 'type'.");
  switch (type) {
    case MessageType.Invocation:
    case MessageType.StreamInvocation: {
      const invocationId = optionalString(raw, 'invocationId');
      if (type === MessageType.StreamInvocation && invocationId === undefined) {
        throw new InvalidDataError("Missing required property 'invocationId'.");
      }
      const target = requiredString(raw, 'target');
      const args = raw.arguments;
      if (!Array.isArray(args)) throw new InvalidDataError("Missing required property 'arguments'.");
      const streamIds = optionalStringArray(raw, 'streamIds');
      return { type, headers: headersOf(raw), invocationId, target, arguments: args, streamIds } as HubMessage;
    }
    case MessageType.StreamItem:
      if (!('item' in raw)) throw new InvalidDataError("Missing required property 'item'.");
      return { type, headers: headersOf(raw), invocationId: requiredString(raw, 'invocationId'), item: raw.item };
    case MessageType.Completion: {
      const invocationId = requiredString(raw, 'invocationId');
      const error = optionalString(raw, 'error');
      const hasResult = 'result' in raw;
      if (error !== undefined && hasResult) {
        throw new InvalidDataError("The 'error' and 'result' properties are mutually exclusive.");
      }
      return { type, headers: headersOf(raw), invocationId, error, result: raw.result, hasResult };
    }
    case MessageType.CancelInvocation:
      return { type, headers: headersOf(raw), invocationId: requiredString(raw, 'invocationId') };
    case MessageType.Ping:
      return { type };
    case MessageType.Close: {
      const allowReconnect = raw.allowReconnect;
      return {
        type,
        error: optionalString(raw, 'error'),
        allowReconnect: typeof allowReconnect === 'boolean' ? allowReconnect : undefined,
      };
    }
    case MessageType.Ack:
    case MessageType.Sequence:
      return { type, sequenceId: requiredSequenceId(raw) };
    default:
      return null;
  }
}

function requiredString(raw: Record<string, unknown>, key: string): string {
  const value = raw[key];
  if (typeof value !== 'string') throw new InvalidDataError(`Missing required property '${key}'.`);
  return value;
}

function optionalString(raw: Record<string, unknown>, key: string): string | undefined {
  const value = raw[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new InvalidDataError(`Expected '${key}' to be of type String.`);
  return value;
}

function optionalStringArray(raw: Record<string, unknown>, key: string): string[] | undefined {
  const value = raw[key];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    throw new InvalidDataError(`Expected '${key}' to be an array of strings.`);
  }
  return value as string[];
}

function requiredSequenceId(raw: Record<string, unknown>): number {
  const value = raw.sequenceId;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new InvalidDataError("Missing required property 'sequenceId'.");
  }
  return value;
}

function headersOf(raw: Record<string, unknown>): MessageHeaders | undefined {
  const value = raw.headers;
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw new InvalidDataError("Expected 'headers' to be an object.");
  for (const v of Object.values(value)) {
    if (typeof v !== 'string') throw new InvalidDataError('Expected header values to be strings.');
  }
  return value as MessageHeaders;
}
