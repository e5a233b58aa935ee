import type { Connection, ConnectionHandler } from '../connection/connection.js';
import type { CloseReason } from '../metrics/close-reason.js';
import type { TrafficTally } from '../metrics/hub-meter.js';
import type { RequestInfo } from '../connection/request-info.js';
import type { GroupLimits, InvokeOptions, LifetimeConnection } from '../lifetime/lifetime-manager.js';
import { InvalidDataError, MessageTooLargeError } from '../protocol/errors.js';
import { parseHandshakeRequest, writeHandshakeResponse } from '../protocol/handshake.js';
import type { HubProtocol } from '../protocol/hub-protocol.js';
import { type CompletionMessage, type HubMessage, MessageType, isTrackable } from '../protocol/messages.js';
import type { SerializedMessage } from '../protocol/serialized-message.js';
import type { TransportName } from '../transports/transport.js';
import type { HubCallerContext } from './hub.js';
import { HubException } from './hub-exception.js';
import type { HubRuntime } from './hub-runtime.js';
import { ReplayBuffer } from './replay-buffer.js';
import type { UploadStream } from './upload-stream.js';
import type { HubUser } from './user.js';

const STATEFUL_OVERFLOW = 'The stateful reconnect buffer overflowed: more unacknowledged messages than it may keep.';

/**
 * handshake: waiting for the client's handshake; registering: the lifetime manager is
 * adding the connection (nothing is sent yet); connecting: handshake answered, hub
 * onConnected running (incoming invocations wait); connected; closed.
 */
type Phase = 'handshake' | 'registering' | 'connecting' | 'connected' | 'closed';

interface PendingClientResult {
  resolve(value: unknown): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout | undefined;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

/**
 * The hub protocol on one connection: handshake, framing, keep-alive and
 * timeouts, stateful-reconnect replay, client results and upload streams.
 * Invocations go to the dispatcher; it is also the `context` hubs see.
 */
export class HubConnectionContext implements ConnectionHandler, LifetimeConnection, HubCallerContext {
  readonly connectionId: string;
  readonly userIdentifier: string | undefined;
  protocol: HubProtocol | undefined;

  private phase: Phase = 'handshake';
  private leftover: Buffer | undefined;
  private readonly openedAt = Date.now();
  private lastSentAt = Date.now();
  private lastReceivedAt = Date.now();
  // Set on every write/read; folded into the timestamps once per heartbeat, so
  // the send path does not read the clock per message.
  private sentSinceTick = false;
  private receivedSinceTick = false;
  private replay: ReplayBuffer | undefined;
  private transportLostAt = 0;
  /** When the replay buffer went over its limit while connected (0: it is not over). */
  private replayFullSince = 0;
  /** Invocations waiting for the client to acknowledge enough to bring the replay buffer under its limit. */
  private ackWaiters: (() => void)[] | undefined;
  private closeReason: Error | undefined;
  /** Where this connection's received traffic is counted, when the hub has metrics. */
  private tally: TrafficTally | undefined;

  private itemsMap: Map<string, unknown> | undefined;
  private aborted: AbortController | undefined;
  private nextClientInvocationId = 0;
  private clientResults: Map<string, PendingClientResult> | undefined;
  /** Upload streams by stream id, fed by StreamItem/Completion from the client. */
  uploads: Map<string, UploadStream> | undefined;
  /** Cancellation of running invocations and streams by invocation id. */
  invocations: Map<string, AbortController> | undefined;
  /** Messages that arrived while onConnected was still running. */
  private deferred: HubMessage[] | undefined;

  constructor(
    readonly connection: Connection,
    readonly user: HubUser | undefined,
    private readonly runtime: HubRuntime,
  ) {
    this.connectionId = connection.connectionId;
    this.userIdentifier = user?.id;
  }

  get groupLimits(): GroupLimits {
    return this.runtime.options;
  }

  // ---- HubCallerContext -------------------------------------------------

  get request(): RequestInfo {
    return this.connection.request;
  }

  get transport(): TransportName {
    return this.connection.transport ?? 'WebSockets';
  }

  get items(): Map<string, unknown> {
    if (!this.itemsMap) this.itemsMap = new Map();
    return this.itemsMap;
  }

  get connectionAborted(): AbortSignal {
    if (!this.aborted) {
      this.aborted = new AbortController();
      if (this.phase === 'closed') this.aborted.abort(this.closeReason);
    }
    return this.aborted.signal;
  }

  abort(): void {
    this.close(undefined, false);
  }

  get isClosed(): boolean {
    return this.phase === 'closed';
  }

  get isConnected(): boolean {
    return this.phase === 'connected';
  }

  // ---- ConnectionHandler -------------------------------------------------

  onData(data: Buffer): void {
    if (this.phase === 'closed') return;
    this.receivedSinceTick = true;
    let input = data;
    if (this.leftover) {
      input = Buffer.concat([this.leftover, data]);
      this.leftover = undefined;
    }
    if (this.phase === 'registering') {
      // Nothing is parsed until the handshake is answered; a client has no reason to send much meanwhile.
      if (input.length > this.runtime.options.maxReceiveMessageSize * 8) {
        this.connection.close(new Error('Too much data before the handshake completed.'), 'oversize');
        return;
      }
      this.leftover = input;
      return;
    }
    try {
      if (this.phase === 'handshake') {
        const end = this.handshake(input);
        if (end >= 0 && end < input.length) this.leftover = input.subarray(end);
        return;
      }
      const messages: HubMessage[] = [];
      const options = this.runtime.options;
      const end = this.protocol!.parseMessages(input, 0, options.maxReceiveMessageSize, messages, options.maxMessageDepth);
      if (end < input.length) this.leftover = input.subarray(end);
      const tally = this.tally;
      if (tally !== undefined) {
        tally.receivedMessages += messages.length;
        tally.receivedBytes += data.length;
      }
      for (const message of messages) {
        if (this.isClosed) return;
        this.receive(message);
      }
    } catch (error) {
      if (error instanceof InvalidDataError) {
        this.runtime.options.logger.warn({ connectionId: this.connectionId, error: error.message }, 'closing connection after a protocol error');
        this.close(`Connection closed with an error. ${error.name}: ${error.message}`, false, error instanceof MessageTooLargeError ? 'oversize' : 'protocol_error');
      } else {
        this.runtime.options.logger.error({ connectionId: this.connectionId, err: error }, 'error processing incoming data');
        this.close('Connection closed with an error.', false, 'server_error');
      }
    }
  }

  onTransportAttached(reattached: boolean): void {
    if (!reattached || !this.replay) return;
    // The same logical connection is back: drop whatever was queued for the old
    // transport, announce where our sequence stands, and resend what the client has not acknowledged.
    this.transportLostAt = 0;
    this.replayFullSince = 0; // the client gets a fresh clientTimeoutMs to acknowledge the replay
    this.connection.discardQueued();
    const { sequenceId, records } = this.replay.replay();
    this.connection.write(this.protocol!.writeMessage({ type: MessageType.Sequence, sequenceId }));
    for (const record of records) this.connection.write(record);
    this.replay.awaitingSequence = true;
    this.sentSinceTick = true;
    this.receivedSinceTick = true;
  }

  onTransportLost(error: Error | undefined): boolean {
    if (!this.replay || this.phase !== 'connected') return false;
    if (this.replay.bufferedBytes > this.runtime.options.statefulReconnectBufferSize) {
      // More is unacknowledged than we promised to keep: a resume could not be complete.
      this.connection.dispose(new Error(STATEFUL_OVERFLOW), 'slow_consumer');
      return true;
    }
    this.transportLostAt = Date.now();
    this.runtime.options.logger.debug({ connectionId: this.connectionId, error: error?.message }, 'transport lost; waiting for a stateful reconnect');
    return true;
  }

  onClose(error: Error | undefined): void {
    const previous = this.phase;
    if (previous === 'closed') return;
    this.phase = 'closed';
    this.closeReason = error;
    this.releaseAckWaiters();
    const reason = error ?? new Error('The connection was closed.');
    this.aborted?.abort(reason);
    if (this.invocations) for (const controller of this.invocations.values()) controller.abort(reason);
    if (this.uploads) {
      for (const upload of this.uploads.values()) upload.complete(new Error('The connection closed before the client stream completed.'));
      this.uploads.clear();
    }
    if (this.clientResults) {
      const pending = [...this.clientResults.values()];
      this.clientResults.clear();
      for (const result of pending) {
        this.releaseClientResult(result);
        result.reject(new HubException('Connection disconnected before the client returned a result.'));
      }
    }
    if (previous !== 'handshake') {
      void this.runtime.lifetimeManager.onDisconnected(this).catch((err: unknown) => {
        this.runtime.options.logger.error({ connectionId: this.connectionId, err }, 'lifetime manager failed on disconnect');
      });
    }
    if (previous === 'connecting' || previous === 'connected') void this.runtime.dispatcher.onDisconnected(this, error);
  }

  // ---- LifetimeConnection ------------------------------------------------

  write(message: SerializedMessage): void {
    if (this.phase !== 'connected' && this.phase !== 'connecting') return;
    let bytes: Buffer;
    try {
      bytes = message.bytesFor(this.protocol!);
    } catch (err) {
      // One recipient's protocol failing must not stop a send to everyone after it
      // (every lifetime manager walks its recipients through here).
      this.runtime.options.logger.warn(
        { connectionId: this.connectionId, protocol: this.protocol!.name, target: 'target' in message.message ? message.message.target : undefined, err },
        'a message could not be encoded for this connection',
      );
      return;
    }
    // Sends through the lifetime manager are invocations: trackable.
    this.enqueue(bytes, true);
  }

  invokeClient(method: string, args: readonly unknown[], options: InvokeOptions): Promise<unknown> {
    if (this.phase !== 'connected' && this.phase !== 'connecting') return Promise.reject(new HubException(`Connection '${this.connectionId}' is not connected.`));
    if (options.signal?.aborted) return Promise.reject(new HubException('The client result invocation was canceled.'));
    const invocationId = `s${++this.nextClientInvocationId}`;
    return new Promise<unknown>((resolve, reject) => {
      const pending: PendingClientResult = { resolve, reject, timer: undefined, signal: options.signal, onAbort: undefined };
      const timeoutMs = options.timeoutMs ?? this.runtime.options.clientResultTimeoutMs;
      if (timeoutMs > 0 && Number.isFinite(timeoutMs)) {
        pending.timer = setTimeout(() => {
          this.failClientResult(invocationId, new HubException(`Client did not return a result for '${method}' within ${timeoutMs} ms.`));
        }, timeoutMs);
      }
      if (options.signal) {
        pending.onAbort = () => this.failClientResult(invocationId, new HubException('The client result invocation was canceled.'));
        options.signal.addEventListener('abort', pending.onAbort, { once: true });
      }
      if (!this.clientResults) this.clientResults = new Map();
      this.clientResults.set(invocationId, pending);
      try {
        this.send({ type: MessageType.Invocation, invocationId, target: method, arguments: args });
      } catch (error) {
        this.failClientResult(invocationId, error as Error); // arguments that cannot be encoded
      }
    });
  }

  // ---- sending -------------------------------------------------------------

  /** Encodes and queues one message for this connection only. */
  send(message: HubMessage): void {
    if (this.phase === 'closed' || !this.protocol) return;
    this.enqueue(this.protocol.writeMessage(message), isTrackable(message.type));
  }

  /** Queues encoded bytes; trackable ones are also kept for a stateful-reconnect replay. */
  private enqueue(bytes: Buffer, trackable: boolean): void {
    const replay = this.replay;
    if (trackable && replay !== undefined) {
      replay.add(bytes);
      const options = this.runtime.options;
      if (this.transportLostAt !== 0 && replay.bufferedBytes > options.statefulReconnectBufferSize) {
        this.connection.dispose(new Error(STATEFUL_OVERFLOW), 'slow_consumer');
        return;
      }
      if (replay.bufferedBytes > options.maxUnacknowledgedBytes && replay.bufferedBytes > bytes.length) {
        // Sends from outside (groups, hub contexts) cannot be made to wait: past this, the client is cut off.
        // One message alone may be larger (it waits for its Ack like any other).
        this.close(`Connection closed with an error. More than ${options.maxUnacknowledgedBytes} bytes of output await acknowledgement.`, false, 'slow_consumer');
        return;
      }
    }
    this.connection.write(bytes);
    this.sentSinceTick = true;
  }

  /**
   * Ends the connection. With an `error`, the client receives a Close message
   * carrying it (and `allowReconnect` if set) before the transport closes.
   */
  close(error: string | undefined, allowReconnect: boolean, reason?: CloseReason): void {
    if (this.phase === 'closed') return;
    this.connection.closeReason ??= reason ?? 'app_close';
    if (this.protocol && (this.phase === 'connecting' || this.phase === 'connected')) {
      this.connection.write(this.protocol.writeMessage({ type: MessageType.Close, error, allowReconnect: allowReconnect || undefined }));
    }
    this.connection.close(error === undefined ? undefined : new Error(error));
  }

  /**
   * Whether more output should wait: unsent output has reached the stream high-water
   * mark, or the client has not acknowledged as much as the replay buffer may hold.
   */
  isBackedUp(): boolean {
    return this.connection.outstandingBytes >= this.runtime.options.streamHighWaterMark || this.awaitingAcks;
  }

  /** Resolves once this connection can take more output; rejects if it closes first. */
  async whenWritable(): Promise<void> {
    for (;;) {
      await this.connection.whenBelow(this.runtime.options.streamHighWaterMark);
      if (!this.awaitingAcks) return;
      await this.whenAcknowledged();
      if (this.isClosed) throw new Error('The connection is closed.');
    }
  }

  /**
   * The replay buffer holds more than `statefulReconnectBufferSize` while the client
   * is connected: like ASP.NET Core's MessageBuffer, output waits for the client's Ack.
   */
  get awaitingAcks(): boolean {
    const replay = this.replay;
    return replay !== undefined && this.phase !== 'closed' && replay.bufferedBytes > this.runtime.options.statefulReconnectBufferSize;
  }

  /** Resolves once the replay buffer is back under its limit, or the connection has closed. */
  whenAcknowledged(): Promise<void> {
    if (!this.awaitingAcks) return Promise.resolve();
    return new Promise((resolve) => (this.ackWaiters ??= []).push(resolve));
  }

  private releaseAckWaiters(): void {
    const waiters = this.ackWaiters;
    this.ackWaiters = undefined;
    if (waiters) for (const resolve of waiters) resolve();
  }

  // ---- heartbeat -----------------------------------------------------------

  /** Called by the endpoint's shared heartbeat: pings, timeouts, acks. */
  tick(now: number): void {
    if (this.sentSinceTick) {
      this.sentSinceTick = false;
      this.lastSentAt = now;
    }
    if (this.receivedSinceTick) {
      this.receivedSinceTick = false;
      this.lastReceivedAt = now;
    }
    const options = this.runtime.options;
    if (this.phase === 'handshake') {
      if (now - this.openedAt > options.handshakeTimeoutMs) {
        this.runtime.options.logger.debug({ connectionId: this.connectionId }, 'handshake timed out');
        this.connection.close(new Error('The handshake timed out.'), 'timeout');
      }
      return;
    }
    if (this.phase !== 'connected') return;
    if (this.transportLostAt !== 0) {
      if (now - this.transportLostAt > options.statefulReconnectWindowMs) {
        this.connection.dispose(new Error('The client did not reconnect within the stateful reconnect window.'), 'timeout');
      }
      return;
    }
    if (this.connection.transport === 'LongPolling') return; // polls keep it alive
    const ack = this.replay?.takeAck();
    if (ack !== undefined) this.send({ type: MessageType.Ack, sequenceId: ack });
    if (this.replay) {
      if (!this.awaitingAcks) this.replayFullSince = 0;
      else if (this.replayFullSince === 0) this.replayFullSince = now;
      else if (now - this.replayFullSince > options.clientTimeoutMs) {
        // A client that reads but never acknowledges is as stuck as a silent one.
        this.close(
          `Connection closed with an error. The client acknowledged no messages for ${options.clientTimeoutMs} ms while ${this.replay.bufferedBytes} bytes waited for acknowledgement (the stateful reconnect buffer holds ${options.statefulReconnectBufferSize}).`,
          false,
          'timeout',
        );
        return;
      }
    }
    if (now - this.lastReceivedAt > options.clientTimeoutMs) {
      this.runtime.options.logger.debug({ connectionId: this.connectionId }, 'client timeout elapsed');
      this.close('Server timeout elapsed without receiving a message from the client.', false, 'timeout');
      return;
    }
    if (now - this.lastSentAt >= options.keepAliveIntervalMs) {
      this.send({ type: MessageType.Ping });
      this.lastSentAt = now;
      this.sentSinceTick = false;
    }
  }

  // ---- receiving -------------------------------------------------------------

  /** Handles the handshake record; returns the offset after it, or -1 if incomplete or failed. */
  private handshake(input: Buffer): number {
    let parsed;
    try {
      parsed = parseHandshakeRequest(input, 0, this.runtime.options.maxReceiveMessageSize);
    } catch (error) {
      this.failHandshake(`Handshake request is malformed. ${(error as Error).message}`);
      return -1;
    }
    if (!parsed) {
      this.leftover = input;
      return -1;
    }
    const { protocol: name, version } = parsed.request;
    const protocol = this.runtime.options.protocols.find((p) => p.name === name);
    if (!protocol) {
      this.failHandshake(`The protocol '${name}' is not supported.`);
      return -1;
    }
    // ASP.NET accepts every version up to the protocol's own (IsVersionSupported: version <= Version):
    // older clients speak a subset, and version 2's additions (Ack, Sequence) are only used when asked for.
    if (version > protocol.version) {
      this.failHandshake(`The server does not support version ${version} of the '${name}' protocol.`);
      return -1;
    }
    if (protocol.transferFormat === 'Binary' && this.connection.transport === 'ServerSentEvents') {
      this.failHandshake(`Cannot use the '${name}' protocol on the current transport. The transport does not support 'Binary' transfer format.`);
      return -1;
    }
    this.protocol = protocol;
    this.connection.binary = protocol.transferFormat === 'Binary';
    const meter = this.runtime.meter;
    if (meter) {
      this.tally = meter.traffic(protocol.name);
      this.connection.sentTally = this.tally;
    }
    if (this.connection.statefulReconnect && version >= 2 && this.connection.transport === 'WebSockets') {
      this.replay = new ReplayBuffer();
    }
    // The handshake response waits until the lifetime manager knows the connection, so a
    // client whose start() resolved is reachable from every node at once.
    this.phase = 'registering';
    this.deferred = [];
    void this.connect();
    return parsed.end;
  }

  private failHandshake(error: string, reason: CloseReason = 'protocol_error'): void {
    this.runtime.options.logger.debug({ connectionId: this.connectionId, error }, 'handshake failed');
    this.connection.binary = false;
    this.connection.write(writeHandshakeResponse(error));
    this.connection.close(new Error(error), reason);
  }

  private async connect(): Promise<void> {
    try {
      await this.runtime.lifetimeManager.onConnected(this);
    } catch (error) {
      this.runtime.options.logger.error({ connectionId: this.connectionId, err: error }, 'could not register the connection');
      if (this.phase === 'registering') this.failHandshake('The server could not register the connection. Try again later.', 'server_error');
      return;
    }
    if (this.phase !== 'registering') return;
    this.connection.write(writeHandshakeResponse());
    this.sentSinceTick = true;
    this.phase = 'connecting';
    const early = this.leftover;
    if (early) {
      this.leftover = undefined;
      this.onData(early);
    }
    try {
      await this.runtime.dispatcher.onConnected(this);
    } catch (error) {
      this.runtime.options.logger.error({ connectionId: this.connectionId, err: error }, 'onConnected failed; closing the connection');
      const detail = this.runtime.options.detailedErrors || error instanceof HubException ? ` ${(error as Error).name}: ${(error as Error).message}` : '';
      this.phase = 'connected';
      this.close(`Connection closed with an error.${detail}`, false, 'hub_error');
      return;
    }
    if (this.phase !== 'connecting') return;
    this.phase = 'connected';
    const deferred = this.deferred ?? [];
    this.deferred = undefined;
    for (const message of deferred) {
      if (this.phase !== 'connected') return;
      this.receive(message);
    }
  }

  private receive(message: HubMessage): void {
    if (this.phase === 'connecting') {
      this.deferred!.push(message);
      return;
    }
    const replay = this.replay;
    if (replay) {
      if (replay.awaitingSequence && message.type !== MessageType.Sequence) return;
      if (isTrackable(message.type) && !replay.acceptIncoming()) return;
    }
    switch (message.type) {
      case MessageType.Invocation:
      case MessageType.StreamInvocation:
        this.runtime.dispatcher.dispatch(this, message);
        return;
      case MessageType.CancelInvocation:
        this.invocations?.get(message.invocationId)?.abort(new Error('The invocation was canceled by the client.'));
        return;
      case MessageType.StreamItem: {
        const upload = this.uploads?.get(message.invocationId);
        if (upload) upload.push(message.item);
        return;
      }
      case MessageType.Completion:
        this.completion(message);
        return;
      case MessageType.Ping:
        return;
      case MessageType.Close:
        // The client is leaving; it expects no reply.
        this.connection.close(message.error ? new Error(message.error) : undefined, 'client_close');
        return;
      case MessageType.Ack:
        if (!replay) return;
        replay.acknowledge(message.sequenceId);
        if (this.ackWaiters && !this.awaitingAcks) {
          this.replayFullSince = 0;
          this.releaseAckWaiters();
        }
        return;
      case MessageType.Sequence:
        if (!replay) return;
        replay.awaitingSequence = false;
        if (!replay.resetIncoming(message.sequenceId)) {
          this.close('Connection closed with an error. Sequence ID greater than amount of messages we have received.', false, 'protocol_error');
        }
        return;
    }
  }

  private completion(message: CompletionMessage): void {
    const id = message.invocationId;
    const upload = this.uploads?.get(id);
    if (upload) {
      this.uploads!.delete(id);
      upload.complete(message.error !== undefined ? new HubException(message.error) : undefined);
      return;
    }
    const pending = this.clientResults?.get(id);
    if (!pending) return;
    this.clientResults!.delete(id);
    this.releaseClientResult(pending);
    if (message.error !== undefined) pending.reject(new HubException(message.error));
    else pending.resolve(message.result);
  }

  private failClientResult(invocationId: string, error: Error): void {
    const pending = this.clientResults?.get(invocationId);
    if (!pending) return;
    this.clientResults!.delete(invocationId);
    this.releaseClientResult(pending);
    pending.reject(error);
  }

  private releaseClientResult(pending: PendingClientResult): void {
    if (pending.timer) clearTimeout(pending.timer);
    if (pending.signal && pending.onAbort) pending.signal.removeEventListener('abort', pending.onAbort);
  }
}
