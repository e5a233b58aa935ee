import {
  type ClientMethods,
  type HubContext,
  HubException,
  type HubLifetimeManager,
  type InvokeOptions,
  type SerializedMessage,
  type UntypedClient,
  createHubContext,
} from '@tidings/hub';
import { Backplane } from './backplane.js';
import type { LocalNode } from './cluster-router.js';
import { Kind } from './codec.js';
import { ClusterPresence, type RedisPresence } from './cluster-presence.js';
import { type RedisBackplaneOptions, resolveOptions } from './options.js';
import { requireName, requireNames } from './validate.js';

/** A hub context for a process that hosts no connections (a worker), plus what it needs to shut down. */
export interface RedisHubContext<TClient extends ClientMethods = UntypedClient> extends Omit<HubContext<TClient>, 'local'> {
  /** The cluster view: users' connections, groups' members, nodes, counts. */
  readonly presence: RedisPresence;
  /** Resolves once Redis is reachable (sends made before wait for it anyway, up to `connectTimeoutMs`). */
  ready(): Promise<void>;
  /** Closes this context's Redis connections. */
  close(): Promise<void>;
}

/** This process hosts no connections, so nothing is ever routed to it but replies. */
const NOTHING_HERE: LocalNode = {
  deliver() {},
  async applyMembership() {},
  invoke: (command) => Promise.reject(new HubException(`Connection '${command.connectionId}' does not exist.`)),
};

/** Every operation goes through Redis to the nodes that hold the connections. */
class RemoteLifetimeManager implements HubLifetimeManager {
  constructor(readonly backplane: Backplane) {}

  async onConnected(): Promise<void> {
    throw new Error('A Redis hub context hosts no connections; map the hub with RedisHubLifetimeManager instead.');
  }

  async onDisconnected(): Promise<void> {}

  async sendAll(message: SerializedMessage, excluded?: readonly string[]): Promise<void> {
    const ids = excluded === undefined ? null : requireNames(excluded, 'excludedConnectionIds');
    return this.backplane.sends.publish(Kind.All, null, ids, message.message);
  }

  async sendConnection(connectionId: string, message: SerializedMessage): Promise<void> {
    return this.backplane.sends.publish(Kind.Connection, requireName(connectionId, 'connectionId'), null, message.message);
  }

  async sendConnections(connectionIds: readonly string[], message: SerializedMessage): Promise<void> {
    return this.backplane.sends.publishEach(Kind.Connection, requireNames(connectionIds, 'connectionIds'), message.message);
  }

  async sendGroup(groupName: string, message: SerializedMessage, excluded?: readonly string[]): Promise<void> {
    const ids = excluded === undefined ? null : requireNames(excluded, 'excludedConnectionIds');
    return this.backplane.sends.publish(Kind.Group, requireName(groupName, 'groupName'), ids, message.message);
  }

  async sendGroups(groupNames: readonly string[], message: SerializedMessage): Promise<void> {
    return this.backplane.sends.publishEach(Kind.Group, requireNames(groupNames, 'groupNames'), message.message);
  }

  async sendUser(userId: string, message: SerializedMessage): Promise<void> {
    return this.backplane.sends.publish(Kind.User, requireName(userId, 'userId'), null, message.message);
  }

  async sendUsers(userIds: readonly string[], message: SerializedMessage): Promise<void> {
    return this.backplane.sends.publishEach(Kind.User, requireNames(userIds, 'userIds'), message.message);
  }

  async addToGroup(connectionId: string, groupName: string): Promise<void> {
    return this.backplane.router.routeMembership(true, requireName(connectionId, 'connectionId'), requireName(groupName, 'groupName'));
  }

  async removeFromGroup(connectionId: string, groupName: string): Promise<void> {
    return this.backplane.router.routeMembership(false, requireName(connectionId, 'connectionId'), requireName(groupName, 'groupName'));
  }

  async invokeConnection(connectionId: string, method: string, args: readonly unknown[], options: InvokeOptions): Promise<unknown> {
    return this.backplane.router.routeInvoke(requireName(connectionId, 'connectionId'), method, args, options);
  }

  dispose(): Promise<void> {
    return this.backplane.close();
  }
}

/**
 * Sends to a hub's clients from a process with nothing but Redis, like
 * ASP.NET Core's `IHubContext` with the Redis backplane: groups, users and
 * connections on every node, group changes, and client results.
 *
 * ```ts
 * const progress = createRedisHubContext<ProgressEvents>({ redis: process.env.REDIS_URL!, hub: 'JobProgressHub', channelPrefix: 'YoutubeRag' });
 * await progress.clients.group(`job-${id}`).send('onJobProgress', dto);
 * ```
 */
export function createRedisHubContext<TClient extends ClientMethods = UntypedClient>(options: RedisBackplaneOptions): RedisHubContext<TClient> {
  const backplane = new Backplane(resolveOptions(options), NOTHING_HERE);
  const manager = new RemoteLifetimeManager(backplane);
  const context = createHubContext<TClient>(manager);
  return {
    clients: context.clients,
    groups: context.groups,
    presence: new ClusterPresence(backplane.store, backplane.commands),
    ready: () => backplane.ready(),
    close: () => manager.dispose(),
  };
}
