import {
  HubException,
  type HubLifetimeManager,
  type InvokeOptions,
  type LifetimeConnection,
  MemoryHubLifetimeManager,
  NodeLocalView,
  SerializedMessage,
} from '@tidings/hub';
import { Backplane } from './backplane.js';
import type { LocalNode } from './cluster-router.js';
import { Kind, type InvokeCommand, type MembershipCommand, type SendEnvelope } from './codec.js';
import { ClusterPresence, type RedisPresence } from './cluster-presence.js';
import { type RedisHubLifetimeManagerOptions, resolveOptions } from './options.js';
import { NodePresence } from './presence/node-presence.js';
import { requireName, requireNames } from './validate.js';

/**
 * Scales a hub out over Redis, like ASP.NET Core's Redis backplane: a send to
 * all, a group, a user or a connection reaches the right connections on every
 * node, exactly once each.
 *
 * Each send is delivered to this node's connections at once and published once
 * for the other nodes; each node decodes it once and hands the same
 * SerializedMessage to all its recipients. Group changes and client results for
 * a connection on another node are routed to that node and acknowledged.
 */
export class RedisHubLifetimeManager implements HubLifetimeManager {
  /** Who is connected where and in which groups, across nodes; `local.presence` is this node's. */
  readonly presence: RedisPresence;
  private readonly here = new MemoryHubLifetimeManager();
  /** Sends to this node's connections only (Socket.IO's `io.local`); joins and client results still route across nodes. */
  readonly local: HubLifetimeManager = new NodeLocalView(this.here, this);
  private readonly backplane: Backplane;
  /** This node's share of the cluster view, written through to Redis. */
  private readonly nodePresence: NodePresence;
  private disposed = false;

  constructor(options: RedisHubLifetimeManagerOptions) {
    const o = resolveOptions(options);
    const local: LocalNode = {
      deliver: (envelope) => this.deliver(envelope),
      applyMembership: (command) => this.applyMembership(command),
      invoke: (command, signal) => this.invokeHere(command, signal),
    };
    this.backplane = new Backplane(o, local);
    void this.backplane.subscriptions.ensure(this.backplane.keys.allChannel);
    this.nodePresence = new NodePresence(
      this.backplane.store,
      this.backplane.commands,
      { nodeId: o.nodeId, heartbeatIntervalMs: o.heartbeatIntervalMs, nodeTimeoutMs: o.nodeTimeoutMs },
      o.logger,
      (dead) => this.backplane.router.nodesDied(dead),
    );
    this.nodePresence.start();
    this.presence = new ClusterPresence(this.backplane.store, this.backplane.commands);
  }

  get nodeId(): string {
    return this.backplane.nodeId;
  }

  /** Connections on this node. */
  get localConnectionCount(): number {
    return this.here.connectionCount;
  }

  /** Group memberships of this node's connections (for the hub's `signalr_server_group_memberships`). */
  get localGroupMemberships(): number {
    return this.here.localGroupMemberships;
  }

  /** Redis is reachable and every channel this node needs is subscribed (for health checks). */
  get connected(): boolean {
    return this.backplane.connected;
  }

  /** Resolves once Redis is reachable and the node's channels are subscribed (bounded by `connectTimeoutMs`). */
  async ready(): Promise<void> {
    await this.backplane.ready();
    await this.backplane.subscriptions.ensure(this.backplane.keys.allChannel);
  }

  // ---- connections -----------------------------------------------------------

  async onConnected(connection: LifetimeConnection): Promise<void> {
    const { connectionId, userIdentifier } = connection;
    await this.here.onConnected(connection);
    const subscriptions = this.backplane.subscriptions;
    const waits = [subscriptions.ensure(this.backplane.keys.connectionChannel(connectionId)), this.nodePresence.connected(connectionId, userIdentifier)];
    if (userIdentifier !== undefined && this.here.userConnectionCount(userIdentifier) === 1) {
      waits.push(subscriptions.ensure(this.backplane.keys.userChannel(userIdentifier)));
    }
    await Promise.all(waits);
  }

  async onDisconnected(connection: LifetimeConnection): Promise<void> {
    const { connectionId, userIdentifier } = connection;
    const groups = this.here.groupsOf(connectionId);
    await this.here.onDisconnected(connection);
    const { subscriptions, keys } = this.backplane;
    for (const group of groups) if (this.here.groupSize(group) === 0) subscriptions.release(keys.groupChannel(group));
    subscriptions.release(keys.connectionChannel(connectionId));
    if (userIdentifier !== undefined && this.here.userConnectionCount(userIdentifier) === 0) {
      subscriptions.release(keys.userChannel(userIdentifier));
    }
    await this.nodePresence.disconnected(connectionId);
  }

  // ---- sends: this node's connections at once, the others through Redis --------

  async sendAll(message: SerializedMessage, excludedConnectionIds?: readonly string[]): Promise<void> {
    const excluded = excludedConnectionIds === undefined ? undefined : requireNames(excludedConnectionIds, 'excludedConnectionIds');
    const published = this.backplane.sends.publish(Kind.All, null, this.elsewhere(excluded), message.message);
    await Promise.all([published, this.here.sendAll(message, excluded)]);
  }

  async sendConnection(connectionId: string, message: SerializedMessage): Promise<void> {
    requireName(connectionId, 'connectionId');
    if (this.here.connection(connectionId)) return this.here.sendConnection(connectionId, message);
    await this.backplane.sends.publish(Kind.Connection, connectionId, null, message.message);
  }

  async sendConnections(connectionIds: readonly string[], message: SerializedMessage): Promise<void> {
    const ids = requireNames(connectionIds, 'connectionIds');
    const published = this.backplane.sends.publishEach(Kind.Connection, this.elsewhere(ids), message.message);
    await Promise.all([published, this.here.sendConnections(ids, message)]);
  }

  async sendGroup(groupName: string, message: SerializedMessage, excludedConnectionIds?: readonly string[]): Promise<void> {
    requireName(groupName, 'groupName');
    const excluded = excludedConnectionIds === undefined ? undefined : requireNames(excludedConnectionIds, 'excludedConnectionIds');
    const published = this.backplane.sends.publish(Kind.Group, groupName, this.elsewhere(excluded), message.message);
    await Promise.all([published, this.here.sendGroup(groupName, message, excluded)]);
  }

  async sendGroups(groupNames: readonly string[], message: SerializedMessage): Promise<void> {
    const names = requireNames(groupNames, 'groupNames');
    const published = this.backplane.sends.publishEach(Kind.Group, names, message.message);
    await Promise.all([published, this.here.sendGroups(names, message)]);
  }

  async sendUser(userId: string, message: SerializedMessage): Promise<void> {
    requireName(userId, 'userId');
    const published = this.backplane.sends.publish(Kind.User, userId, null, message.message);
    await Promise.all([published, this.here.sendUser(userId, message)]);
  }

  async sendUsers(userIds: readonly string[], message: SerializedMessage): Promise<void> {
    const ids = requireNames(userIds, 'userIds');
    const published = this.backplane.sends.publishEach(Kind.User, ids, message.message);
    await Promise.all([published, this.here.sendUsers(ids, message)]);
  }

  // ---- groups ------------------------------------------------------------------

  async addToGroup(connectionId: string, groupName: string): Promise<void> {
    requireName(connectionId, 'connectionId');
    requireName(groupName, 'groupName');
    if (this.here.connection(connectionId)) return this.joinHere(connectionId, groupName);
    return this.backplane.router.routeMembership(true, connectionId, groupName);
  }

  async removeFromGroup(connectionId: string, groupName: string): Promise<void> {
    requireName(connectionId, 'connectionId');
    requireName(groupName, 'groupName');
    if (this.here.connection(connectionId)) return this.leaveHere(connectionId, groupName);
    return this.backplane.router.routeMembership(false, connectionId, groupName);
  }

  // ---- client results ------------------------------------------------------------

  invokeConnection(connectionId: string, method: string, args: readonly unknown[], options: InvokeOptions): Promise<unknown> {
    const connection = this.here.connection(connectionId);
    if (connection) return connection.invokeClient(method, args, options);
    return this.backplane.router.routeInvoke(connectionId, method, args, options);
  }

  /** Stops heartbeats, removes this node's entries from Redis and closes its connections to Redis. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.nodePresence.stop();
    await this.backplane.close();
  }

  // ---- what Redis brings -------------------------------------------------------------

  private deliver(envelope: SendEnvelope): void {
    const message = new SerializedMessage(envelope.message);
    const excluded = envelope.excluded ?? undefined;
    const t = envelope.targets;
    let delivered: Promise<void>;
    switch (envelope.kind) {
      case Kind.All:
        delivered = this.here.sendAll(message, excluded);
        break;
      case Kind.Group:
        delivered = this.here.sendGroup(t as string, message, excluded);
        break;
      case Kind.Groups:
        delivered = this.here.sendGroups(t as string[], message);
        break;
      case Kind.User:
        delivered = this.here.sendUser(t as string, message);
        break;
      case Kind.Users:
        delivered = this.here.sendUsers(t as string[], message);
        break;
      case Kind.Connection:
        delivered = this.here.sendConnection(t as string, message);
        break;
      case Kind.Connections:
        delivered = this.here.sendConnections(t as string[], message);
        break;
    }
    delivered.catch((error: unknown) => this.backplane.options.logger.error({ err: error }, 'delivering a backplane message failed'));
  }

  private async applyMembership(command: MembershipCommand): Promise<void> {
    const { connectionId, groupName } = command;
    // The connection may have left since the sender looked it up: then there is nothing to change.
    if (!this.here.connection(connectionId)) return;
    if (command.add) await this.joinHere(connectionId, groupName);
    else await this.leaveHere(connectionId, groupName);
  }

  private invokeHere(command: InvokeCommand, signal: AbortSignal): Promise<unknown> {
    const connection = this.here.connection(command.connectionId);
    if (!connection) return Promise.reject(new HubException(`Connection '${command.connectionId}' does not exist.`));
    // 0 means no timeout, which the connection reads the same way.
    return connection.invokeClient(command.method, command.args, { timeoutMs: command.timeoutMs, signal });
  }

  // ---- memberships of this node's connections ----------------------------------------

  private async joinHere(connectionId: string, groupName: string): Promise<void> {
    await this.here.addToGroup(connectionId, groupName);
    await Promise.all([
      this.backplane.subscriptions.ensure(this.backplane.keys.groupChannel(groupName)),
      this.nodePresence.membership(true, connectionId, groupName),
    ]);
  }

  private async leaveHere(connectionId: string, groupName: string): Promise<void> {
    await this.here.removeFromGroup(connectionId, groupName);
    if (this.here.groupSize(groupName) === 0) this.backplane.subscriptions.release(this.backplane.keys.groupChannel(groupName));
    await this.nodePresence.membership(false, connectionId, groupName);
  }

  /** The ids that may live on other nodes: this node's own are served locally. */
  private elsewhere(ids: readonly string[] | undefined): string[] {
    return ids === undefined ? [] : ids.filter((id) => !this.here.connection(id));
  }
}
