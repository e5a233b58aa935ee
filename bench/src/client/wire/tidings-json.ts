import { HUB_PATH } from '../../contract.js';
import { matchesAt } from '../bytes.js';
import { MessageType, RECORD_SEPARATOR, SignalRSession } from './signalr-session.js';
import type { WireProtocol } from './wire.js';

/** Every record the hub writes starts with its type; anything else is parsed the slow way. */
const TYPE_PREFIX = Buffer.from('{"type":');
const TYPE_DIGIT_AT = TYPE_PREFIX.length;
const COMMA = 0x2c;
const CLOSING_BRACE = 0x7d;
const DIGIT_0 = 0x30;

/** The type of the record at `start` when it begins `{"type":N,` or `{"type":N}`. */
function typeAt(frame: Buffer, start: number): number | undefined {
  if (!matchesAt(frame, start, TYPE_PREFIX)) return undefined;
  const after = frame[start + TYPE_DIGIT_AT + 1];
  if (after !== COMMA && after !== CLOSING_BRACE) return undefined;
  return frame[start + TYPE_DIGIT_AT]! - DIGIT_0;
}

/**
 * SignalR JSON over a bare WebSocket: the handshake and a SubscribeToJob
 * invocation go out in one message, then 0x1E-terminated records are counted.
 */
class TidingsJsonSession extends SignalRSession {
  protected readonly pingRecord = `{"type":${MessageType.Ping}}\x1e`;

  open(): void {
    const subscribe = { type: MessageType.Invocation, ...this.subscribeInvocation() };
    this.socket.send(`{"protocol":"json","version":1}\x1e${JSON.stringify(subscribe)}\x1e`);
  }

  receive(frame: Buffer): void {
    let start = 0;
    for (let end = frame.indexOf(RECORD_SEPARATOR); end !== -1; end = frame.indexOf(RECORD_SEPARATOR, start)) {
      this.record(frame, start, end);
      start = end + 1;
    }
    if (start !== frame.length) this.host.failed(new Error('A WebSocket message ended inside a record.'));
  }

  private record(frame: Buffer, start: number, end: number): void {
    if (!this.handshaken) {
      this.handshakeResponse(frame.toString('utf8', start, end));
      return;
    }
    const type = typeAt(frame, start) ?? (JSON.parse(frame.toString('utf8', start, end)) as { type: number }).type;
    if (type === MessageType.Invocation) {
      this.host.deliver(frame, start, end);
    } else if (type === MessageType.Completion) {
      const { invocationId, error } = JSON.parse(frame.toString('utf8', start, end)) as { invocationId: string; error?: string };
      this.completion(invocationId, error);
    } else if (type === MessageType.Close) {
      this.host.failed(new Error(`The server closed the connection: ${frame.toString('utf8', start, end)}`));
    }
  }
}

export const tidingsJson: WireProtocol = {
  path: HUB_PATH,
  session: (socket, host, jobId) => new TidingsJsonSession(socket, host, jobId),
};
