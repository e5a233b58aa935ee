import { HubException, type HubLogger, type InvokeOptions } from '@tidings/hub';
import type { BackplaneMeter } from './backplane-meter.js';
import type { ChannelSubscriptions } from './channel-subscriptions.js';
import {
  type InvokeCommand,
  Kind,
  type MembershipCommand,
  type SendEnvelope,
  decodeEnvelope,
  encodeCancel,
  encodeInvoke,
  encodeMembership,
  encodeReply,
} from './codec.js';
import { BackplaneTimeoutError, BackplaneUnavailableError } from './errors.js';
import type { KeySpace } from './key-space.js';
import { PendingRequests } from './pending-requests.js';
import type { PresenceStore } from './presence/presence-store.js';
import type { RedisLink } from './redis-link.js';

/** What a node does with traffic that Redis brings it. */
export interface LocalNode {
  /** A send published by another process, for this node's connections. */
  deliver(envelope: SendEnvelope): void;
  /** A group change routed here for one of this node's connections. */
  applyMembership(command: MembershipCommand): Promise<void>;
  /** A client result requested by another process from one of this node's connections. */
  invoke(command: InvokeCommand, signal: AbortSignal): Promise<unknown>;
}

export interface ClusterRouterOptions {
  readonly nodeId: string;
  readonly keys: KeySpace;
  readonly publisher: RedisLink;
  readonly subscriber: RedisLink;
  readonly subscriptions: ChannelSubscriptions;
  readonly store: PresenceStore;
  readonly local: LocalNode;
  readonly logger: HubLogger;
  readonly ackTimeoutMs: number;
  readonly clientResultTimeoutMs: number;
  readonly meter: BackplaneMeter | undefined;
}

const CANCELED = 'The client result invocation was canceled.';

/**
 * The cross-process half of the backplane: publishes sends, routes commands
 * for connections on other nodes to their owner and waits for its reply, and
 * dispatches what arrives on this node's channels.
 */
export class ClusterRouter {
  private readonly requests = new PendingRequests();
  /** Client results running here for other nodes, by `${replyTo}#${requestId}`. */
  private readonly running = new Map<string, AbortController>();
  private readonly nodeChannel: string;

  constructor(private readonly o: ClusterRouterOptions) {
    this.nodeChannel = o.keys.nodeChannel(o.nodeId);
    o.subscriber.client.on('messageBuffer', (_channel: Buffer, message: Buffer) => this.receive(message));
    void o.subscriptions.ensure(this.nodeChannel);
  }

  /** Publishes `payload`; rejects with BackplaneUnavailableError when Redis cannot take it. */
  publish(channel: string, payload: Buffer): Promise<number> {
    const link = this.o.publisher;
    const published = link.isReady
      ? link.client.publish(channel, payload).catch(unavailable)
      : link.usable().then(() => link.client.publish(channel, payload).catch(unavailable));
    const meter = this.o.meter;
    if (!meter) return published;
    meter.publishes++;
    return published.catch((error: unknown) => {
      meter.publishFailures++;
      throw error;
    });
  }

  /**
   * Adds or removes a connection on another node to or from a group,
   * resolving once its node confirms, so a send issued afterwards reaches it.
   * Unknown connections are ignored, as ASP.NET Core does.
   */
  async routeMembership(add: boolean, connectionId: string, groupName: string): Promise<void> {
    await this.o.publisher.usable();
    const owner = await this.o.store.ownerOf(connectionId);
    if (owner === undefined || owner === this.o.nodeId) return;
    await this.o.subscriptions.ensure(this.nodeChannel);
    const verb = add ? `adding connection '${connectionId}' to` : `removing connection '${connectionId}' from`;
    const { reply } = this.request(
      owner,
      this.o.ackTimeoutMs,
      () => new BackplaneTimeoutError(`Node '${owner}' did not confirm ${verb} group '${groupName}' within ${this.o.ackTimeoutMs} ms.`),
      () => new BackplaneUnavailableError(`Connection '${connectionId}' is on node '${owner}', which is not listening (down or reconnecting).`),
      (requestId) => encodeMembership({ requestId, replyTo: this.o.nodeId, add, connectionId, groupName }),
    );
    await reply;
  }

  /** Invokes a client method on a connection of another node and returns the client's result. */
  async routeInvoke(connectionId: string, method: string, args: readonly unknown[], options: InvokeOptions): Promise<unknown> {
    if (options.signal?.aborted) throw new HubException(CANCELED);
    await this.o.publisher.usable();
    const owner = await this.o.store.ownerOf(connectionId);
    if (owner === undefined || owner === this.o.nodeId) throw new HubException(`Connection '${connectionId}' does not exist.`);
    await this.o.subscriptions.ensure(this.nodeChannel);
    if (options.signal?.aborted) throw new HubException(CANCELED);
    const timeoutMs = options.timeoutMs ?? this.o.clientResultTimeoutMs;
    const bounded = timeoutMs > 0 && Number.isFinite(timeoutMs);
    const { id, reply } = this.request(
      owner,
      // The owner enforces the timeout and reports it; our own timer only catches an owner that died.
      bounded ? timeoutMs + this.o.ackTimeoutMs : Number.POSITIVE_INFINITY,
      () => new HubException(`No result for '${method}' from connection '${connectionId}': node '${owner}' did not answer within ${timeoutMs} ms.`),
      () => new HubException(`Connection '${connectionId}' is on node '${owner}', which is not reachable.`),
      (requestId) => encodeInvoke({ requestId, replyTo: this.o.nodeId, connectionId, method, args, timeoutMs: bounded ? Math.ceil(timeoutMs) : 0 }),
    );
    const signal = options.signal;
    const onAbort = (): void => {
      this.requests.reject(id, new HubException(CANCELED));
      this.publish(this.o.keys.nodeChannel(owner), encodeCancel(id, this.o.nodeId)).catch(() => undefined);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      return await reply;
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  /** Fails requests waiting on nodes that were found dead. */
  nodesDied(nodeIds: readonly string[]): void {
    for (const node of nodeIds) {
      this.requests.rejectNode(node, () => new HubException(`Node '${node}' stopped heartbeating before it answered.`));
    }
  }

  close(): void {
    this.requests.rejectAll(new BackplaneUnavailableError('The Redis backplane was closed.'));
    for (const controller of this.running.values()) controller.abort();
    this.running.clear();
  }

  /**
   * Publishes to `owner`'s node the command `encode` makes for a new request
   * and returns the request, whose reply the caller awaits at once: a command
   * that cannot be encoded, a failed publish or an owner that is not listening
   * fail it, and so may a timeout, a cancel or the owner's death while the
   * publish is still on its way.
   */
  private request(
    owner: string,
    timeoutMs: number,
    onTimeout: () => Error,
    notListening: () => Error,
    encode: (requestId: number) => Buffer,
  ): { id: number; reply: Promise<unknown> } {
    const request = this.requests.create(owner, timeoutMs, onTimeout);
    let command: Buffer;
    try {
      command = encode(request.id);
    } catch (error) {
      this.requests.reject(request.id, error as Error);
      return request;
    }
    this.publish(this.o.keys.nodeChannel(owner), command).then(
      (receivers) => {
        if (receivers === 0) this.requests.reject(request.id, notListening());
      },
      (error: Error) => this.requests.reject(request.id, error),
    );
    return request;
  }

  private receive(data: Buffer): void {
    const meter = this.o.meter;
    if (meter) meter.received++;
    let envelope;
    try {
      envelope = decodeEnvelope(data);
    } catch (error) {
      this.o.logger.warn({ error: (error as Error).message, bytes: data.length }, 'dropped a malformed backplane message');
      return;
    }
    try {
      switch (envelope.kind) {
        case Kind.Membership:
          this.reply(envelope.replyTo, envelope.requestId, Kind.Ack, this.o.local.applyMembership(envelope));
          return;
        case Kind.Invoke:
          this.runInvoke(envelope);
          return;
        case Kind.Cancel:
          this.running.get(`${envelope.replyTo}#${envelope.requestId}`)?.abort();
          return;
        case Kind.Ack:
          if (envelope.error === null) this.requests.resolve(envelope.requestId, undefined);
          else this.requests.reject(envelope.requestId, new Error(envelope.error));
          return;
        case Kind.Result:
          if (envelope.error === null) this.requests.resolve(envelope.requestId, envelope.result);
          else this.requests.reject(envelope.requestId, new HubException(envelope.error));
          return;
        default:
          // Our own sends were delivered locally before they were published.
          if (envelope.origin === this.o.nodeId) return;
          if (meter && envelope.publishedAt !== undefined) meter.delivered(envelope.publishedAt);
          this.o.local.deliver(envelope);
      }
    } catch (error) {
      this.o.logger.error({ err: error }, 'failed to handle a backplane message');
    }
  }

  private runInvoke(command: InvokeCommand): void {
    const key = `${command.replyTo}#${command.requestId}`;
    const controller = new AbortController();
    this.running.set(key, controller);
    const result = this.o.local.invoke(command, controller.signal).finally(() => this.running.delete(key));
    this.reply(command.replyTo, command.requestId, Kind.Result, result);
  }

  private reply(replyTo: string, requestId: number, kind: typeof Kind.Ack | typeof Kind.Result, outcome: Promise<unknown>): void {
    outcome
      .then(
        (result) => {
          try {
            return encodeReply(kind, requestId, null, result);
          } catch (error) {
            return encodeReply(kind, requestId, `The client's result could not be forwarded: ${(error as Error).message}`);
          }
        },
        (error: unknown) => encodeReply(kind, requestId, error instanceof Error ? error.message : String(error)),
      )
      .then((payload) => this.publish(this.o.keys.nodeChannel(replyTo), payload))
      .catch((error: unknown) => {
        this.o.logger.warn({ replyTo, error: (error as Error).message }, 'could not send a reply to another node');
      });
  }
}

function unavailable(error: Error): never {
  throw new BackplaneUnavailableError(`Publishing to Redis failed: ${error.message}`);
}
