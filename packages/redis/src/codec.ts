import { Decoder, Encoder } from '@msgpack/msgpack';
import { type HubMessage, MessageType } from '@tidings/hub';

/**
 * The backplane's wire format: one MessagePack array per Redis message, first
 * element the kind. Sends carry the invocation (target + arguments) once; each
 * receiving node turns it into one SerializedMessage for all its recipients.
 */
export const Kind = {
  All: 1,
  Group: 2,
  Groups: 3,
  User: 4,
  Users: 5,
  Connection: 6,
  Connections: 7,
  Membership: 10,
  Invoke: 11,
  Cancel: 12,
  Ack: 20,
  Result: 21,
} as const;

export type SendKind = (typeof Kind)[keyof Pick<typeof Kind, 'All' | 'Group' | 'Groups' | 'User' | 'Users' | 'Connection' | 'Connections'>];

export interface SendEnvelope {
  readonly kind: SendKind;
  /** The node that published it (and already delivered to its own connections). */
  readonly origin: string;
  /** A group, user or connection id; a list of them; or null for `all`. */
  readonly targets: string | readonly string[] | null;
  readonly excluded: readonly string[] | null;
  readonly message: HubMessage;
  /** When the origin published it (its clock, ms since the epoch), for the delivery-lag metric; absent from older nodes. */
  readonly publishedAt: number | undefined;
}

/** Adds a connection of the receiving node to a group, or removes it. */
export interface MembershipCommand {
  readonly kind: typeof Kind.Membership;
  readonly requestId: number;
  readonly replyTo: string;
  readonly add: boolean;
  readonly connectionId: string;
  readonly groupName: string;
}

export interface InvokeCommand {
  readonly kind: typeof Kind.Invoke;
  readonly requestId: number;
  readonly replyTo: string;
  readonly connectionId: string;
  readonly method: string;
  readonly args: readonly unknown[];
  readonly timeoutMs: number;
}

export interface CancelCommand {
  readonly kind: typeof Kind.Cancel;
  readonly requestId: number;
  readonly replyTo: string;
}

export interface Reply {
  readonly kind: typeof Kind.Ack | typeof Kind.Result;
  readonly requestId: number;
  readonly error: string | null;
  readonly result: unknown;
}

export type Envelope = SendEnvelope | MembershipCommand | InvokeCommand | CancelCommand | Reply;

export class MalformedEnvelopeError extends Error {
  override readonly name = 'MalformedEnvelopeError';
}

// `ignoreUndefined` makes `{ a: undefined }` arrive as `{}`, as JSON.stringify would send it.
const encoder = new Encoder({ ignoreUndefined: true });
const decoder = new Decoder();

function bytes(value: unknown): Buffer {
  const encoded = encoder.encode(value);
  return Buffer.from(encoded.buffer, encoded.byteOffset, encoded.byteLength);
}

/** Plain invocations (all that `clients.*.send` produces) travel as `[target, args(, headers)]`. */
function packMessage(message: HubMessage): unknown {
  if (message.type === MessageType.Invocation && message.invocationId === undefined && message.streamIds === undefined) {
    return message.headers === undefined ? [message.target, message.arguments] : [message.target, message.arguments, message.headers];
  }
  return message;
}

function unpackMessage(value: unknown): HubMessage {
  if (Array.isArray(value)) {
    const [target, args, headers] = value as unknown[];
    if (typeof target !== 'string' || !Array.isArray(args)) throw new MalformedEnvelopeError('invocation must be [target, arguments]');
    if (headers !== undefined && (headers === null || typeof headers !== 'object')) throw new MalformedEnvelopeError('headers must be a map');
    return headers === undefined
      ? { type: MessageType.Invocation, target, arguments: args }
      : { type: MessageType.Invocation, target, arguments: args, headers: headers as Record<string, string> };
  }
  if (value !== null && typeof value === 'object' && typeof (value as { type?: unknown }).type === 'number') return value as HubMessage;
  throw new MalformedEnvelopeError('message must be an invocation array or a hub message map');
}

export function encodeSend(
  kind: SendKind,
  origin: string,
  targets: string | readonly string[] | null,
  excluded: readonly string[] | null | undefined,
  message: HubMessage,
): Buffer {
  // The publish time comes last, so nodes of an older version read the rest as before.
  return bytes([kind, origin, targets, excluded && excluded.length > 0 ? excluded : null, packMessage(message), Date.now()]);
}

/** The fourth element names what the connection joins: always 'group' now, kept in place so nodes of an older version read the command as before. */
const GROUP = 'group';

export function encodeMembership(command: Omit<MembershipCommand, 'kind'>): Buffer {
  const c = command;
  return bytes([Kind.Membership, c.requestId, c.replyTo, GROUP, c.add, c.connectionId, c.groupName]);
}

export function encodeInvoke(command: Omit<InvokeCommand, 'kind'>): Buffer {
  const c = command;
  return bytes([Kind.Invoke, c.requestId, c.replyTo, c.connectionId, c.method, c.args, c.timeoutMs]);
}

export function encodeCancel(requestId: number, replyTo: string): Buffer {
  return bytes([Kind.Cancel, requestId, replyTo]);
}

export function encodeReply(kind: Reply['kind'], requestId: number, error: string | null, result?: unknown): Buffer {
  return bytes(kind === Kind.Result ? [kind, requestId, error, result ?? null] : [kind, requestId, error]);
}

function str(value: unknown, what: string): string {
  if (typeof value !== 'string') throw new MalformedEnvelopeError(`${what} must be a string`);
  return value;
}

function int(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) throw new MalformedEnvelopeError(`${what} must be an integer`);
  return value;
}

function strings(value: unknown, what: string): readonly string[] {
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) throw new MalformedEnvelopeError(`${what} must be a list of strings`);
  return value as string[];
}

function optionalError(value: unknown): string | null {
  return value === null || value === undefined ? null : str(value, 'error');
}

/** Decodes and checks one Redis message; anything else throws MalformedEnvelopeError. */
export function decodeEnvelope(data: Uint8Array): Envelope {
  let value: unknown;
  try {
    value = decoder.decode(data);
  } catch (error) {
    throw new MalformedEnvelopeError(`not MessagePack: ${(error as Error).message}`);
  }
  if (!Array.isArray(value) || value.length === 0) throw new MalformedEnvelopeError('envelope must be a non-empty array');
  const f = value as unknown[];
  switch (f[0]) {
    case Kind.All:
    case Kind.Group:
    case Kind.User:
    case Kind.Connection:
    case Kind.Groups:
    case Kind.Users:
    case Kind.Connections: {
      const kind = f[0] as SendKind;
      const list = kind === Kind.Groups || kind === Kind.Users || kind === Kind.Connections;
      const targets = kind === Kind.All ? null : list ? strings(f[2], 'targets') : str(f[2], 'target');
      const excluded = f[3] === null || f[3] === undefined ? null : strings(f[3], 'excluded');
      const publishedAt = typeof f[5] === 'number' && Number.isFinite(f[5]) ? f[5] : undefined;
      return { kind, origin: str(f[1], 'origin'), targets, excluded, message: unpackMessage(f[4]), publishedAt };
    }
    case Kind.Membership:
      if (f[3] !== GROUP) throw new MalformedEnvelopeError(`membership must be '${GROUP}'`);
      if (typeof f[4] !== 'boolean') throw new MalformedEnvelopeError('add must be a boolean');
      return {
        kind: Kind.Membership,
        requestId: int(f[1], 'requestId'),
        replyTo: str(f[2], 'replyTo'),
        add: f[4],
        connectionId: str(f[5], 'connectionId'),
        groupName: str(f[6], 'groupName'),
      };
    case Kind.Invoke:
      if (!Array.isArray(f[5])) throw new MalformedEnvelopeError('args must be an array');
      return {
        kind: Kind.Invoke,
        requestId: int(f[1], 'requestId'),
        replyTo: str(f[2], 'replyTo'),
        connectionId: str(f[3], 'connectionId'),
        method: str(f[4], 'method'),
        args: f[5] as unknown[],
        timeoutMs: int(f[6], 'timeoutMs'),
      };
    case Kind.Cancel:
      return { kind: Kind.Cancel, requestId: int(f[1], 'requestId'), replyTo: str(f[2], 'replyTo') };
    case Kind.Ack:
    case Kind.Result:
      return { kind: f[0], requestId: int(f[1], 'requestId'), error: optionalError(f[2]), result: f[3] ?? null };
    default:
      throw new MalformedEnvelopeError(`unknown kind ${JSON.stringify(f[0])}`);
  }
}
