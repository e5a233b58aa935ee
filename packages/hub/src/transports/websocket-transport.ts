import { WebSocket } from 'ws';
import type { Connection } from '../connection/connection.js';
import type { TransportSink } from './transport.js';

const SINK = Symbol('tidings.sink');
type TaggedSocket = WebSocket & { [SINK]?: WebSocketSink };

/** Normal closure, and the code used when the server gives up on a peer. */
const NORMAL_CLOSURE = 1000;
/** What `ws` closes with when a message exceeds `maxPayload`. */
const MESSAGE_TOO_BIG = 1009;

/**
 * The socket class the endpoint's WebSocketServer creates. When `ws` refuses a
 * message over the payload cap it closes the socket itself; this gives the
 * connection's consumer the moment before, so a hub client receives a Close
 * message saying why instead of a bare 1009.
 */
export class SignalRWebSocket extends WebSocket {
  override close(code?: number, data?: string | Buffer): void {
    if (code === MESSAGE_TOO_BIG && this.readyState === WebSocket.OPEN) {
      const sink = (this as TaggedSocket)[SINK];
      // `ws` gives no other hook; the limit is the server's maxPayload, which it does not expose on the socket.
      if (sink) sink.connection.messageTooLarge(sink.maxPayload);
    }
    super.close(code, data);
  }
}

/** Batches up to this size are kept for reuse by the next connection; larger ones are not held on to. */
const SHARED_BATCH_MAX_BYTES = 64 * 1024;

/**
 * The last batch joined into one frame body. Members of a group are flushed
 * one after another in the same turn and usually queued the very same records,
 * so the next connection reuses the joined bytes instead of copying them again.
 */
let lastChunks: readonly Buffer[] | undefined;
let lastJoined: Buffer | undefined;

function join(chunks: readonly Buffer[], byteLength: number): Buffer {
  if (chunks.length === 1) return chunks[0]!;
  if (lastChunks !== undefined && lastChunks.length === chunks.length && sameRecords(lastChunks, chunks)) return lastJoined!;
  const joined = Buffer.concat(chunks as Buffer[], byteLength);
  if (byteLength <= SHARED_BATCH_MAX_BYTES) {
    lastChunks = chunks;
    lastJoined = joined;
  }
  return joined;
}

/** Records of a group send are the same Buffer for every member, so identity is enough. */
function sameRecords(a: readonly Buffer[], b: readonly Buffer[]): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Full-duplex transport over `ws`. Every batch of queued records goes out as a
 * single frame (records are self-delimiting), so a burst of fan-out costs one
 * frame header and one socket write per connection.
 */
export class WebSocketSink implements TransportSink {
  readonly name = 'WebSockets' as const;
  readonly ready = true;

  constructor(
    private readonly socket: WebSocket,
    readonly connection: Connection,
    /** The largest message the endpoint accepts, quoted when a larger one arrives. */
    readonly maxPayload: number,
  ) {
    (socket as TaggedSocket)[SINK] = this;
    socket.on('message', onMessage);
    socket.on('close', onClose);
    socket.on('error', onError);
  }

  send(chunks: readonly Buffer[], byteLength: number, binary: boolean): void {
    if (this.socket.readyState !== 1) return;
    this.socket.send(join(chunks, byteLength), { binary, compress: false, fin: true });
  }

  bufferedAmount(): number {
    return this.socket.bufferedAmount;
  }

  end(): void {
    if (this.socket.readyState === 0 || this.socket.readyState === 1) this.socket.close(NORMAL_CLOSURE);
  }

  abort(): void {
    this.socket.terminate();
  }

  /** Sends a ping frame (browsers and `ws` answer with a pong by themselves); returns when the last pong came. */
  ping(now: number): number {
    if (this.lastPongAt === 0) {
      this.lastPongAt = now;
      this.socket.on('pong', onPong);
    }
    if (this.socket.readyState === 1) this.socket.ping();
    return this.lastPongAt;
  }

  /** @internal Set by the shared pong listener. */
  lastPongAt = 0;
}

// Shared listeners (with `this` bound by ws to the socket) instead of closures
// per connection: idle connections should cost as little memory as possible.
function onMessage(this: TaggedSocket, data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean): void {
  const sink = this[SINK];
  if (!sink) return;
  const buffer = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
  sink.connection.receive(buffer, isBinary);
}

function onClose(this: TaggedSocket, code: number, reason: Buffer): void {
  const sink = this[SINK];
  if (!sink) return;
  this[SINK] = undefined;
  // 1000 (normal) and 1001 (going away) are a peer leaving on purpose; the rest are drops.
  const clean = code === 1000 || code === 1001;
  const error = clean ? undefined : new Error(`WebSocket closed with status code: ${code}${reason.length ? ` (${reason.toString()})` : ''}.`);
  sink.connection.transportEnded(sink, error, clean);
}

function onPong(this: TaggedSocket): void {
  const sink = this[SINK];
  if (sink) sink.lastPongAt = Date.now();
}

function onError(this: TaggedSocket, error: Error): void {
  // ws emits 'close' after 'error'; record nothing here but keep the process alive.
  void error;
}
