/** Hub message types as numbered by HubProtocol.md. */
export const MessageType = {
  Invocation: 1,
  StreamItem: 2,
  Completion: 3,
  StreamInvocation: 4,
  CancelInvocation: 5,
  Ping: 6,
  Close: 7,
  Ack: 8,
  Sequence: 9,
} as const;
export type MessageType = (typeof MessageType)[keyof typeof MessageType];

export type MessageHeaders = Record<string, string>;

export interface InvocationMessage {
  readonly type: typeof MessageType.Invocation;
  readonly headers?: MessageHeaders;
  readonly invocationId?: string;
  readonly target: string;
  readonly arguments: readonly unknown[];
  readonly streamIds?: readonly string[];
}

export interface StreamInvocationMessage {
  readonly type: typeof MessageType.StreamInvocation;
  readonly headers?: MessageHeaders;
  readonly invocationId: string;
  readonly target: string;
  readonly arguments: readonly unknown[];
  readonly streamIds?: readonly string[];
}

export interface StreamItemMessage {
  readonly type: typeof MessageType.StreamItem;
  readonly headers?: MessageHeaders;
  readonly invocationId: string;
  readonly item: unknown;
}

export interface CompletionMessage {
  readonly type: typeof MessageType.Completion;
  readonly headers?: MessageHeaders;
  readonly invocationId: string;
  readonly error?: string;
  /** Present (possibly `null`) for a non-void result; absent for void. */
  readonly result?: unknown;
  /** Distinguishes a `null`/`undefined` result from a void completion when writing. */
  readonly hasResult?: boolean;
}

export interface CancelInvocationMessage {
  readonly type: typeof MessageType.CancelInvocation;
  readonly headers?: MessageHeaders;
  readonly invocationId: string;
}

export interface PingMessage {
  readonly type: typeof MessageType.Ping;
}

export interface CloseMessage {
  readonly type: typeof MessageType.Close;
  readonly error?: string;
  readonly allowReconnect?: boolean;
}

export interface AckMessage {
  readonly type: typeof MessageType.Ack;
  readonly sequenceId: number;
}

export interface SequenceMessage {
  readonly type: typeof MessageType.Sequence;
  readonly sequenceId: number;
}

export type HubMessage =
  | InvocationMessage
  | StreamInvocationMessage
  | StreamItemMessage
  | CompletionMessage
  | CancelInvocationMessage
  | PingMessage
  | CloseMessage
  | AckMessage
  | SequenceMessage;

/** Messages that carry an implicit sequence id under stateful reconnect. */
export function isTrackable(type: number): boolean {
  return type >= MessageType.Invocation && type <= MessageType.CancelInvocation;
}

export interface HandshakeRequest {
  readonly protocol: string;
  readonly version: number;
}
