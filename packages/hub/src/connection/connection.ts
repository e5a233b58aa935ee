import type { SpanContext } from '@opentelemetry/api';
import type { HubUser } from '../hub/user.js';
import type { CloseReason } from '../metrics/close-reason.js';
import type { TrafficTally } from '../metrics/hub-meter.js';
import type { TransportName, TransportSink } from '../transports/transport.js';
import { type Flushable, flushScheduler } from './flush-scheduler.js';
import type { RequestInfo } from './request-info.js';

/** How often a paused stream re-checks a backed-up connection. */
const DRAIN_POLL_MS = 5;

/**
 * The application side of a connection. Two consumers implement it: the hub
 * protocol (HubConnectionContext) and raw connection handlers (RawConnection).
 */
export interface ConnectionHandler {
  /**
   * Bytes from the client, in order; may hold partial or several records.
   * `binary` tells how they arrived when the transport says (a WebSocket frame's type).
   */
  onData(data: Buffer, binary: boolean | undefined): void;
  /** A transport attached (first time, or again after a drop under stateful reconnect). */
  onTransportAttached(reattached: boolean): void;
  /**
   * The transport went away without the connection ending. Return true to keep the
   * connection for a reconnect (stateful reconnect); false ends it now.
   */
  onTransportLost(error: Error | undefined): boolean;
  /** The connection ended; called once. */
  onClose(error: Error | undefined): void;
  /**
   * Ends the connection, telling the client why when the protocol can (a hub's
   * Close message); `allowReconnect` when the server is going away, not the client.
   */
  close(reason: string | undefined, allowReconnect: boolean): void;
  /** The endpoint's shared heartbeat: keep-alives and timeouts of the protocol, if it has any. */
  tick?(now: number): void;
}

export type ConnectionStatus = 'inactive' | 'active' | 'closing' | 'disposed';

/**
 * One logical client connection (ASP.NET's HttpConnectionContext): its ids, the
 * transport currently carrying it, and its outgoing queue. It moves bytes and
 * knows nothing about hubs.
 */
export class Connection implements Flushable {
  status: ConnectionStatus = 'inactive';
  transport: TransportName | undefined;
  sink: TransportSink | undefined;
  handler: ConnectionHandler | undefined;
  /** Set by the hub layer once the protocol is known; picks WebSocket frame type and poll content type. */
  binary = false;
  /** Last time the connection had a live transport or request, for inactivity cleanup. */
  lastSeenAt = Date.now();
  /** A send POST is being read; a second one gets 409. */
  receiving = false;
  /** A long poll is open. */
  pollActive = false;
  /** Negotiated with stateful reconnect allowed. */
  readonly statefulReconnect: boolean;
  /** Who authenticated when the connection was created; later requests must match. */
  readonly user: HubUser | undefined;
  /** Why it ended; the first reason given wins (a Close message, then the transport closing, is still a client close). */
  closeReason: CloseReason | undefined;
  /** When its first transport attached (performance.now()); 0 before. */
  startedAt = 0;
  /** Where its sent traffic is counted, when the hub has metrics. */
  sentTally: TrafficTally | undefined;
  /** The span that created it (negotiate), which its invocation spans link to. */
  origin: SpanContext | undefined;

  private readonly maxBufferedBytes: number;
  private pending: Buffer[] | undefined;
  private pendingBytes = 0;
  private flushQueued = false;
  private closeError: Error | undefined;
  private onDisposed: ((connection: Connection) => void) | undefined;

  constructor(
    readonly connectionId: string,
    /** Secret id used in transport URLs (equal to connectionId under negotiate version 0). */
    readonly connectionToken: string,
    public request: RequestInfo,
    options: {
      statefulReconnect: boolean;
      user: HubUser | undefined;
      maxBufferedBytes: number;
      onDisposed: (connection: Connection) => void;
    },
  ) {
    this.maxBufferedBytes = options.maxBufferedBytes;
    this.statefulReconnect = options.statefulReconnect;
    this.user = options.user;
    this.onDisposed = options.onDisposed;
  }

  /** Bytes waiting anywhere between the hub and the socket. */
  get outstandingBytes(): number {
    return this.pendingBytes + (this.sink ? this.sink.bufferedAmount() : 0);
  }

  /**
   * Lets go of a transport the client has replaced (a stateful reconnect that
   * arrived before the old socket was seen to close). Its later close is ignored.
   */
  detachSink(): TransportSink | undefined {
    const sink = this.sink;
    this.sink = undefined;
    return sink;
  }

  attach(sink: TransportSink): void {
    const reattached = this.sink === undefined && this.status === 'active';
    this.sink = sink;
    this.transport = sink.name;
    this.lastSeenAt = Date.now();
    if (this.status === 'inactive') this.status = 'active';
    this.handler?.onTransportAttached(reattached);
    if (this.pendingBytes > 0) this.scheduleFlush();
  }

  receive(data: Buffer, binary?: boolean): void {
    if (this.status === 'disposed') return;
    this.lastSeenAt = Date.now();
    this.handler?.onData(data, binary);
  }

  /**
   * The client sent a message larger than the transport accepts. The consumer
   * says why (a hub's Close message) and the output goes out at once, before the
   * transport closes underneath it.
   */
  messageTooLarge(limit: number): void {
    const handler = this.handler;
    if (!handler || this.status === 'disposed' || this.status === 'closing') return;
    this.closeReason ??= 'oversize';
    handler.close(`Connection closed with an error. InvalidDataException: The maximum message size of ${limit} bytes was exceeded.`, false);
  }

  /** Queues one complete record; it leaves with everything else queued this turn. */
  write(record: Buffer): void {
    if (this.status === 'disposed') return;
    if (this.pending === undefined) this.pending = [];
    this.pending.push(record);
    this.pendingBytes += record.length;
    if (this.pendingBytes > this.maxBufferedBytes) {
      this.overflow();
      return;
    }
    this.scheduleFlush();
  }

  /** Forgets queued output meant for a transport that is gone (stateful reconnect replays it instead). */
  discardQueued(): void {
    this.pending = undefined;
    this.pendingBytes = 0;
  }

  /**
   * Resolves once unsent output drops below `highWaterMark`; rejects if the
   * connection ends first. Server-to-client streams await it between items, so
   * a slow reader slows the producer instead of growing the queue.
   */
  whenBelow(highWaterMark: number): Promise<void> {
    if (this.status === 'disposed') return Promise.reject(new Error('The connection is closed.'));
    if (this.outstandingBytes < highWaterMark) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (this.status === 'disposed') reject(new Error('The connection is closed.'));
        else if (this.outstandingBytes < highWaterMark) resolve();
        else setTimeout(check, DRAIN_POLL_MS);
      };
      setTimeout(check, DRAIN_POLL_MS);
    });
  }

  flush(): void {
    this.flushQueued = false;
    const sink = this.sink;
    const pending = this.pending;
    if (!sink || !pending || pending.length === 0 || !sink.ready) return;
    const bytes = this.pendingBytes;
    this.pending = undefined;
    this.pendingBytes = 0;
    sink.send(pending, bytes, this.binary);
    // Counted per transport write, not per message: a fan-out adds two numbers per recipient.
    const tally = this.sentTally;
    if (tally !== undefined) {
      tally.sentMessages += pending.length;
      tally.sentBytes += bytes;
    }
    if (this.status === 'closing') this.finishClose();
    else if (sink.bufferedAmount() > this.maxBufferedBytes) this.overflow();
  }

  /** The client reads slower than we write: drop it rather than buffer without bound. */
  private overflow(): void {
    this.closeReason ??= 'slow_consumer';
    const sink = this.sink;
    this.sink = undefined;
    sink?.abort();
    this.dispose(new Error(`The client is too slow: more than ${this.maxBufferedBytes} bytes of output are waiting.`));
  }

  /** Called by a long-poll sink when a poll arrives and can take queued output. */
  scheduleFlush(): void {
    if (!this.flushQueued) {
      this.flushQueued = true;
      flushScheduler.schedule(this);
    }
  }

  /** Ends the connection once queued output (a Close message, say) has gone out. */
  close(error?: Error, reason?: CloseReason): void {
    if (this.status === 'disposed' || this.status === 'closing') return;
    this.closeReason ??= reason;
    this.closeError = error;
    this.status = 'closing';
    if (!this.sink || this.pendingBytes === 0 || this.sink.ready) {
      this.flushQueued = false;
      this.flush();
      if (this.status === 'closing' && this.pendingBytes === 0) this.finishClose();
    }
    // Otherwise a long poll will collect the remaining output, then finishClose runs from flush().
  }

  private finishClose(): void {
    const sink = this.sink;
    this.sink = undefined;
    sink?.end();
    this.dispose(this.closeError);
  }

  /** The transport ended underneath us (socket closed, poll abandoned, DELETE). */
  transportEnded(sink: TransportSink, error: Error | undefined, final: boolean): void {
    if (this.sink !== sink) return;
    this.sink = undefined;
    sink.end(); // e.g. a long poll still open when the client sent DELETE
    this.lastSeenAt = Date.now();
    if (this.status === 'disposed') return;
    if (this.status === 'closing') {
      this.dispose(this.closeError);
      return;
    }
    if (!final && this.handler && this.handler.onTransportLost(error)) return;
    this.closeReason ??= error ? 'transport_lost' : 'client_close';
    this.dispose(error);
  }

  /** Drops the connection immediately: nothing more is sent or received. */
  dispose(error?: Error, reason?: CloseReason): void {
    if (this.status === 'disposed') return;
    this.closeReason ??= reason ?? (error ? 'server_error' : 'app_close');
    this.status = 'disposed';
    this.pending = undefined;
    this.pendingBytes = 0;
    const sink = this.sink;
    this.sink = undefined;
    sink?.end();
    const onDisposed = this.onDisposed;
    this.onDisposed = undefined;
    onDisposed?.(this);
    const handler = this.handler;
    this.handler = undefined;
    handler?.onClose(error);
  }
}
