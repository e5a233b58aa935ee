import type { SerializedMessage } from '../protocol/serialized-message.js';
import type { HubPresence } from './hub-presence.js';
import type { HubLifetimeManager, InvokeOptions, LifetimeConnection } from './lifetime-manager.js';

/**
 * A lifetime manager seen from this node only, like Socket.IO's `io.local`:
 * its sends reach this node's connections and no other node's, while group
 * membership and client results still go through the manager that owns the
 * connections. A scaled-out service uses it where every node delivers the
 * same event to its own connections (a job event read from a shared feed):
 * sent through the backplane as well, every connection would get it once per node.
 */
export class NodeLocalView implements HubLifetimeManager {
  constructor(
    /** Delivers to the connections held by this node. */
    private readonly here: HubLifetimeManager,
    /** Owns the connections: joins, leaves and client results are its. */
    private readonly owner: HubLifetimeManager,
  ) {}

  get local(): HubLifetimeManager {
    return this;
  }

  /** This node's connections and their groups. */
  get presence(): HubPresence | undefined {
    return this.here.presence;
  }

  onConnected(connection: LifetimeConnection): Promise<void> {
    return this.owner.onConnected(connection);
  }

  onDisconnected(connection: LifetimeConnection): Promise<void> {
    return this.owner.onDisconnected(connection);
  }

  sendAll(message: SerializedMessage, excludedConnectionIds?: readonly string[]): Promise<void> {
    return this.here.sendAll(message, excludedConnectionIds);
  }

  sendConnection(connectionId: string, message: SerializedMessage): Promise<void> {
    return this.here.sendConnection(connectionId, message);
  }

  sendConnections(connectionIds: readonly string[], message: SerializedMessage): Promise<void> {
    return this.here.sendConnections(connectionIds, message);
  }

  sendGroup(groupName: string, message: SerializedMessage, excludedConnectionIds?: readonly string[]): Promise<void> {
    return this.here.sendGroup(groupName, message, excludedConnectionIds);
  }

  sendGroups(groupNames: readonly string[], message: SerializedMessage): Promise<void> {
    return this.here.sendGroups(groupNames, message);
  }

  sendUser(userId: string, message: SerializedMessage): Promise<void> {
    return this.here.sendUser(userId, message);
  }

  sendUsers(userIds: readonly string[], message: SerializedMessage): Promise<void> {
    return this.here.sendUsers(userIds, message);
  }

  addToGroup(connectionId: string, groupName: string): Promise<void> {
    return this.owner.addToGroup(connectionId, groupName);
  }

  removeFromGroup(connectionId: string, groupName: string): Promise<void> {
    return this.owner.removeFromGroup(connectionId, groupName);
  }

  invokeConnection(connectionId: string, method: string, args: readonly unknown[], options: InvokeOptions): Promise<unknown> {
    return this.owner.invokeConnection(connectionId, method, args, options);
  }
}
