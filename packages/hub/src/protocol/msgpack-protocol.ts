import { Decoder, Encoder } from '@msgpack/msgpack';
import { forEachBinaryRecord, varIntSize, writeVarInt } from './binary-framing.js';
import { InvalidDataError } from './errors.js';
import type { HubProtocol } from './hub-protocol.js';
import { DEFAULT_MAX_MESSAGE_DEPTH, checkMessagePackDepth } from './nesting-depth.js';
import { type HubMessage, type MessageHeaders, MessageType } from './messages.js';

const ERROR_RESULT = 1;
const VOID_RESULT = 2;
const NON_VOID_RESULT = 3;
const EMPTY_HEADERS: MessageHeaders = Object.freeze({}) as MessageHeaders;

/** The MessagePack hub protocol: one msgpack array per VarInt-length-prefixed record. */
export class MessagePackHubProtocol implements HubProtocol {
  readonly name = 'messagepack';
  readonly version = 2;
  readonly transferFormat = 'Binary' as const;

  // Shared codecs are safe: encode/decode are synchronous and never re-entered.
  // `undefined` properties are left out, as JSON.stringify leaves them out: both
  // protocols deliver the same object shapes to clients.
  private readonly encoder = new Encoder({ ignoreUndefined: true });
  private readonly decoder = new Decoder();
  private readonly pingRecord = this.frame([MessageType.Ping]);

  parseMessages(input: Buffer, start: number, maxMessageSize: number, out: HubMessage[], maxDepth = DEFAULT_MAX_MESSAGE_DEPTH): number {
    return forEachBinaryRecord(input, start, maxMessageSize, (from, to) => {
      // Before decoding: @msgpack/msgpack decodes any depth (its encoder then refuses past 100)
      // and preallocates arrays of the length a header claims.
      checkMessagePackDepth(input, from, to, maxDepth);
      let value: unknown;
      try {
        value = this.decoder.decode(input.subarray(from, to));
      } catch (error) {
        throw new InvalidDataError(`Error reading MessagePack: ${(error as Error).message}`);
      }
      const message = toHubMessage(value);
      if (message) out.push(message);
    });
  }

  writeMessage(message: HubMessage): Buffer {
    switch (message.type) {
      case MessageType.Invocation:
      case MessageType.StreamInvocation: {
        const fields: unknown[] = [
          message.type,
          message.headers ?? EMPTY_HEADERS,
          message.invocationId ?? null,
          message.target,
          message.arguments,
        ];
        if (message.streamIds && message.streamIds.length > 0) fields.push(message.streamIds);
        return this.frame(fields);
      }
      case MessageType.StreamItem:
        return this.frame([message.type, message.headers ?? EMPTY_HEADERS, message.invocationId, message.item]);
      case MessageType.Completion: {
        const headers = message.headers ?? EMPTY_HEADERS;
        if (message.error !== undefined) {
          return this.frame([message.type, headers, message.invocationId, ERROR_RESULT, message.error]);
        }
        if (message.hasResult || message.result !== undefined) {
          return this.frame([message.type, headers, message.invocationId, NON_VOID_RESULT, message.result ?? null]);
        }
        return this.frame([message.type, headers, message.invocationId, VOID_RESULT]);
      }
      case MessageType.CancelInvocation:
        return this.frame([message.type, message.headers ?? EMPTY_HEADERS, message.invocationId]);
      case MessageType.Ping:
        return this.pingRecord;
      case MessageType.Close:
        return this.frame([message.type, message.error ?? null, message.allowReconnect ?? false]);
      case MessageType.Ack:
      case MessageType.Sequence:
        return this.frame([message.type, message.sequenceId]);
    }
  }

  /** Encodes `value` and prefixes its length, copying out of the encoder's reused buffer once. */
  private frame(value: unknown): Buffer {
    const body = this.encoder.encodeSharedRef(value);
    const prefix = varIntSize(body.byteLength);
    const record = Buffer.allocUnsafe(prefix + body.byteLength);
    writeVarInt(record, 0, body.byteLength);
    record.set(body, prefix);
    return record;
  }
}

function toHubMessage(value: unknown): HubMessage | null {
  if (!Array.isArray(value) || value.length === 0) throw new InvalidDataError('Expected a MessagePack array as a hub message.');
  const type = value[0];
  if (typeof type !== 'number') throw new InvalidDataError('Expected the message type to be an integer.');
  switch (type) {
    case MessageType.Invocation:
    case MessageType.StreamInvocation: {
      expectLength(value, 5, type);
      const invocationId = value[2] === null || value[2] === undefined ? undefined : expectString(value[2], 'InvocationId');
      if (type === MessageType.StreamInvocation && invocationId === undefined) {
        throw new InvalidDataError('A StreamInvocation requires an InvocationId.');
      }
      const args = value[4];
      if (!Array.isArray(args)) throw new InvalidDataError('Expected the arguments to be an array.');
      const streamIds = value.length > 5 ? readStreamIds(value[5]) : undefined;
      return {
        type,
        headers: readHeaders(value[1]),
        invocationId,
        target: expectString(value[3], 'Target'),
        arguments: args,
        streamIds,
      } as HubMessage;
    }
    case MessageType.StreamItem:
      expectLength(value, 4, type);
      return { type, headers: readHeaders(value[1]), invocationId: expectString(value[2], 'InvocationId'), item: value[3] };
    case MessageType.Completion: {
      expectLength(value, 4, type);
      const invocationId = expectString(value[2], 'InvocationId');
      const kind = value[3];
      const headers = readHeaders(value[1]);
      if (kind === ERROR_RESULT) {
        expectLength(value, 5, type);
        return { type, headers, invocationId, error: expectString(value[4], 'Error') };
      }
      if (kind === VOID_RESULT) return { type, headers, invocationId };
      if (kind === NON_VOID_RESULT) {
        expectLength(value, 5, type);
        return { type, headers, invocationId, result: value[4], hasResult: true };
      }
      throw new InvalidDataError(`Invalid result kind '${String(kind)}'.`);
    }
    case MessageType.CancelInvocation:
      expectLength(value, 3, type);
      return { type, headers: readHeaders(value[1]), invocationId: expectString(value[2], 'InvocationId') };
    case MessageType.Ping:
      return { type };
    case MessageType.Close:
      expectLength(value, 2, type);
      return {
        type,
        error: value[1] === null || value[1] === undefined ? undefined : expectString(value[1], 'Error'),
        allowReconnect: value.length > 2 && typeof value[2] === 'boolean' ? value[2] : undefined,
      };
    case MessageType.Ack:
    case MessageType.Sequence: {
      expectLength(value, 2, type);
      const sequenceId = value[1];
      if (typeof sequenceId !== 'number' || !Number.isSafeInteger(sequenceId) || sequenceId < 0) {
        throw new InvalidDataError('Expected the sequence id to be a non-negative integer.');
      }
      return { type, sequenceId };
    }
    default:
      return null;
  }
}

function expectLength(value: unknown[], min: number, type: number): void {
  if (value.length < min) throw new InvalidDataError(`Invalid payload for message type ${type}.`);
}

function expectString(value: unknown, field: string): string {
  if (typeof value !== 'string') throw new InvalidDataError(`Expected ${field} to be a string.`);
  return value;
}

function readStreamIds(value: unknown): string[] | undefined {
  if (value === null || value === undefined) return undefined;
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    throw new InvalidDataError('Expected StreamIds to be an array of strings.');
  }
  return value.length > 0 ? (value as string[]) : undefined;
}

function readHeaders(value: unknown): MessageHeaders | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value !== 'object' || Array.isArray(value) || value instanceof Uint8Array) {
    throw new InvalidDataError('Expected headers to be a map.');
  }
  const entries = Object.values(value as object);
  if (entries.length === 0) return undefined;
  if (!entries.every((v) => typeof v === 'string')) throw new InvalidDataError('Expected header values to be strings.');
  return value as MessageHeaders;
}
