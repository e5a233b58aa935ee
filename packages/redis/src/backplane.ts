import type { BackplaneMeter } from './backplane-meter.js';
import { ChannelSubscriptions } from './channel-subscriptions.js';
import { ClusterRouter, type LocalNode } from './cluster-router.js';
import { KeySpace } from './key-space.js';
import type { ResolvedBackplaneOptions } from './options.js';
import { PresenceStore } from './presence/presence-store.js';
import { RedisLink } from './redis-link.js';
import { SendPublisher } from './send-publisher.js';

/**
 * The Redis plumbing every backplane process shares: a command connection
 * (auto-pipelined publishes, presence scripts), a subscriber connection, the
 * node's channels and the router for cross-node commands.
 */
export class Backplane {
  readonly keys: KeySpace;
  readonly commands: RedisLink;
  readonly subscriber: RedisLink;
  readonly subscriptions: ChannelSubscriptions;
  readonly store: PresenceStore;
  readonly router: ClusterRouter;
  readonly sends: SendPublisher;
  /** This backplane's Prometheus series, when the `metrics` option is set. */
  readonly meter: BackplaneMeter | undefined;

  constructor(
    readonly options: ResolvedBackplaneOptions,
    local: LocalNode,
  ) {
    const o = options;
    this.keys = new KeySpace(o.channelPrefix, o.hub);
    // Not resending commands cut off by a disconnect: a PUBLISH Redis had already run would be
    // delivered twice, and a stale presence write could land after the resync. They fail instead.
    const commandOptions = { enableAutoPipelining: true, autoResendUnfulfilledCommands: false, commandTimeout: o.commandTimeoutMs };
    this.commands = new RedisLink('commands', o.redis, o.redisOptions, commandOptions, o.logger, o.connectTimeoutMs);
    // The subscriptions are made again from the wanted set on every connect: a resent SUBSCRIBE could only
    // bring back a channel released while Redis was away, never to be unsubscribed.
    const subscriberOptions = { autoResendUnfulfilledCommands: false, commandTimeout: o.commandTimeoutMs };
    this.subscriber = new RedisLink('subscriber', o.redis, o.redisOptions, subscriberOptions, o.logger, o.connectTimeoutMs);
    this.subscriptions = new ChannelSubscriptions(this.subscriber, o.logger);
    this.store = new PresenceStore(this.commands.client, this.keys);
    this.meter = o.metrics?.meter(o.hub, () => [
      ['commands', this.commands.isReady],
      ['subscriber', this.subscriber.isReady],
    ]);
    this.router = new ClusterRouter({
      nodeId: o.nodeId,
      keys: this.keys,
      publisher: this.commands,
      subscriber: this.subscriber,
      subscriptions: this.subscriptions,
      store: this.store,
      local,
      logger: o.logger,
      ackTimeoutMs: o.ackTimeoutMs,
      clientResultTimeoutMs: o.clientResultTimeoutMs,
      meter: this.meter,
    });
    this.sends = new SendPublisher(this.router, this.keys, o.nodeId);
  }

  get nodeId(): string {
    return this.options.nodeId;
  }

  /** Both connections are up and the channels are subscribed again after any reconnect. */
  get connected(): boolean {
    return this.commands.isReady && this.subscriptions.settled;
  }

  /** Resolves once Redis is reachable and this process's channels are subscribed (bounded by `connectTimeoutMs`). */
  async ready(): Promise<void> {
    await Promise.all([this.commands.usable(), this.subscriber.usable()]);
    await this.subscriptions.ensure(this.keys.nodeChannel(this.nodeId));
  }

  async close(): Promise<void> {
    this.router.close();
    await Promise.all([this.commands.close(), this.subscriber.close()]);
    this.meter?.detach();
  }
}
