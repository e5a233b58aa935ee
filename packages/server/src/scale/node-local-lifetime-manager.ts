import { type HubLifetimeManager, type InvokeOptions, type LifetimeConnection, MemoryHubLifetimeManager, type SerializedMessage } from '@tidings/hub';
import type { RedisHubLifetimeManager } from '@tidings/redis';
import type { NodeLocalScope } from './node-local-scope.js';

/**
 * A hub's lifetime manager in scaled mode: the Redis backplane, except that
 * sends made inside the node-local scope (job events this node delivers from
 * the feed) reach only this node's connections. It keeps its own copy of this
 * node's connections and their groups for those sends.
 */
export class NodeLocalLifetimeManager implements HubLifetimeManager {
  private readonly here = new MemoryHubLifetimeManager();

  constructor(
    readonly cluster: RedisHubLifetimeManager,
    private readonly scope: NodeLocalScope,
  ) {}

  async onConnected(connection: LifetimeConnection): Promise<void> {
    await this.here.onConnected(connection);
    await this.cluster.onConnected(connection);
  }

  async onDisconnected(connection: LifetimeConnection): Promise<void> {
    await this.here.onDisconnected(connection);
    await this.cluster.onDisconnected(connection);
  }

  sendAll(message: SerializedMessage, excludedConnectionIds?: readonly string[]): Promise<void> {
    return this.target().sendAll(message, excludedConnectionIds);
  }

  sendConnection(connectionId: string, message: SerializedMessage): Promise<void> {
    return this.target().sendConnection(connectionId, message);
  }

  sendConnections(connectionIds: readonly string[], message: SerializedMessage): Promise<void> {
    return this.target().sendConnections(connectionIds, message);
  }

  sendGroup(groupName: string, message: SerializedMessage, excludedConnectionIds?: readonly string[]): Promise<void> {
    return this.target().sendGroup(groupName, message, excludedConnectionIds);
  }

  sendGroups(groupNames: readonly string[], message: SerializedMessage): Promise<void> {
    return this.target().sendGroups(groupNames, message);
  }

  sendUser(userId: string, message: SerializedMessage): Promise<void> {
    return this.target().sendUser(userId, message);
  }

  sendUsers(userIds: readonly string[], message: SerializedMessage): Promise<void> {
    return this.target().sendUsers(userIds, message);
  }

  async addToGroup(connectionId: string, groupName: string): Promise<void> {
    await this.cluster.addToGroup(connectionId, groupName);
    await this.here.addToGroup(connectionId, groupName); // ignored unless the connection lives here
  }

  async removeFromGroup(connectionId: string, groupName: string): Promise<void> {
    await this.here.removeFromGroup(connectionId, groupName);
    await this.cluster.removeFromGroup(connectionId, groupName);
  }

  invokeConnection(connectionId: string, method: string, args: readonly unknown[], options: InvokeOptions): Promise<unknown> {
    return this.cluster.invokeConnection(connectionId, method, args, options);
  }

  dispose(): Promise<void> {
    return this.cluster.dispose();
  }

  private target(): HubLifetimeManager {
    return this.scope.active ? this.here : this.cluster;
  }
}
