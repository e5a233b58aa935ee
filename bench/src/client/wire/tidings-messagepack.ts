import { decode, encode } from '@msgpack/msgpack';
import { HUB_PATH } from '../../contract.js';
import { MessageType, RECORD_SEPARATOR, SignalRSession } from './signalr-session.js';
import type { WireProtocol } from './wire.js';

const ERROR_RESULT = 1;
const FIXARRAY_MIN = 0x90;
const FIXARRAY_MAX = 0x9f;

/** A MessagePack record: its VarInt length, then the bytes. */
function record(fields: unknown[]): Buffer {
  const body = encode(fields);
  const prefix: number[] = [];
  let length = body.length;
  while (length >= 0x80) {
    prefix.push((length & 0x7f) | 0x80);
    length >>>= 7;
  }
  prefix.push(length);
  return Buffer.concat([Buffer.from(prefix), body]);
}

/**
 * SignalR MessagePack over a bare WebSocket: a JSON handshake, then
 * VarInt-prefixed records whose message type is the array's first element.
 */
class TidingsMessagePackSession extends SignalRSession {
  protected readonly pingRecord = record([MessageType.Ping]);

  open(): void {
    const { invocationId, target, arguments: args } = this.subscribeInvocation();
    this.socket.send('{"protocol":"messagepack","version":1}\x1e');
    this.socket.send(record([MessageType.Invocation, {}, invocationId, target, args]));
  }

  receive(frame: Buffer): void {
    let offset = 0;
    if (!this.handshaken) {
      const end = frame.indexOf(RECORD_SEPARATOR);
      this.handshakeResponse(frame.toString('utf8', 0, end));
      offset = end + 1;
    }
    while (offset < frame.length) {
      let length = 0;
      let shift = 0;
      let byte: number;
      do {
        byte = frame[offset++]!;
        length += (byte & 0x7f) * 2 ** shift;
        shift += 7;
      } while (byte & 0x80);
      const end = offset + length;
      if (end > frame.length) {
        this.host.failed(new Error('A WebSocket message ended inside a record.'));
        return;
      }
      this.record(frame, offset, end);
      offset = end;
    }
  }

  private record(frame: Buffer, start: number, end: number): void {
    const header = frame[start]!;
    if (header < FIXARRAY_MIN || header > FIXARRAY_MAX) {
      this.host.failed(new Error(`Unexpected MessagePack record header 0x${header.toString(16)}.`));
      return;
    }
    const type = frame[start + 1];
    if (type === MessageType.Invocation) {
      this.host.deliver(frame, start, end);
    } else if (type === MessageType.Completion) {
      // [3, headers, invocationId, resultKind, result?]
      const [, , invocationId, resultKind, result] = decode(frame.subarray(start, end)) as unknown[];
      this.completion(invocationId, resultKind === ERROR_RESULT ? String(result) : undefined);
    } else if (type === MessageType.Close) {
      this.host.failed(new Error('The server closed the connection.'));
    }
  }
}

export const tidingsMessagePack: WireProtocol = {
  path: HUB_PATH,
  session: (socket, host, jobId) => new TidingsMessagePackSession(socket, host, jobId),
};
