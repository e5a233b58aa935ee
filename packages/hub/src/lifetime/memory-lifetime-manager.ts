import { HubException } from '../hub/hub-exception.js';
import type { SerializedMessage } from '../protocol/serialized-message.js';
import type { HubPresence } from './hub-presence.js';
import { DEFAULT_GROUP_LIMITS, type HubLifetimeManager, type InvokeOptions, type LifetimeConnection } from './lifetime-manager.js';

/**
 * Connections, groups and users of one process. Sends walk the recipients and
 * hand each the same SerializedMessage; nothing is allocated per recipient.
 */
export class MemoryHubLifetimeManager implements HubLifetimeManager {
  private readonly connections = new Map<string, LifetimeConnection>();
  private readonly groupMembers = new Map<string, Map<string, LifetimeConnection>>();
  /** Groups of each connection that joined any, so a disconnect leaves them in O(own groups). */
  private readonly connectionGroups = new Map<string, Set<string>>();
  private readonly userConnections = new Map<string, Set<LifetimeConnection>>();
  private memberships = 0;

  /** The connections and groups of this process (with one node, of the whole hub). */
  readonly presence: HubPresence = {
    getUserConnections: async (userId) => [...(this.userConnections.get(userId) ?? [])].map((c) => c.connectionId),
    getConnectionGroups: async (connectionId) => [...(this.connectionGroups.get(connectionId) ?? [])],
    getGroupConnections: async (groupName) => [...(this.groupMembers.get(groupName)?.keys() ?? [])],
  };

  /** Group memberships of the connections here (a connection in three groups counts three). */
  get localGroupMemberships(): number {
    return this.memberships;
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  /** The connection on this node, if it lives here. */
  connection(connectionId: string): LifetimeConnection | undefined {
    return this.connections.get(connectionId);
  }

  groupSize(groupName: string): number {
    return this.groupMembers.get(groupName)?.size ?? 0;
  }

  /** Connections of `userId` on this node. */
  userConnectionCount(userId: string): number {
    return this.userConnections.get(userId)?.size ?? 0;
  }

  groupsOf(connectionId: string): readonly string[] {
    return [...(this.connectionGroups.get(connectionId) ?? [])];
  }

  async onConnected(connection: LifetimeConnection): Promise<void> {
    this.connections.set(connection.connectionId, connection);
    const userId = connection.userIdentifier;
    if (userId !== undefined) {
      let set = this.userConnections.get(userId);
      if (!set) this.userConnections.set(userId, (set = new Set()));
      set.add(connection);
    }
  }

  async onDisconnected(connection: LifetimeConnection): Promise<void> {
    const id = connection.connectionId;
    this.connections.delete(id);
    const groups = this.connectionGroups.get(id);
    if (groups) {
      for (const group of groups) this.leave(id, group);
      this.connectionGroups.delete(id);
    }
    const userId = connection.userIdentifier;
    if (userId !== undefined) {
      const set = this.userConnections.get(userId);
      if (set) {
        set.delete(connection);
        if (set.size === 0) this.userConnections.delete(userId);
      }
    }
  }

  async sendAll(message: SerializedMessage, excluded?: readonly string[]): Promise<void> {
    if (!excluded || excluded.length === 0) {
      for (const connection of this.connections.values()) connection.write(message);
      return;
    }
    for (const connection of this.connections.values()) {
      if (!excluded.includes(connection.connectionId)) connection.write(message);
    }
  }

  async sendConnection(connectionId: string, message: SerializedMessage): Promise<void> {
    this.connections.get(connectionId)?.write(message);
  }

  async sendConnections(connectionIds: readonly string[], message: SerializedMessage): Promise<void> {
    for (const id of new Set(connectionIds)) this.connections.get(id)?.write(message);
  }

  async sendGroup(groupName: string, message: SerializedMessage, excluded?: readonly string[]): Promise<void> {
    const members = this.groupMembers.get(groupName);
    if (!members) return;
    if (!excluded || excluded.length === 0) {
      for (const connection of members.values()) connection.write(message);
      return;
    }
    for (const connection of members.values()) {
      if (!excluded.includes(connection.connectionId)) connection.write(message);
    }
  }

  async sendGroups(groupNames: readonly string[], message: SerializedMessage): Promise<void> {
    if (groupNames.length === 1) return this.sendGroup(groupNames[0]!, message);
    // A connection in several of the groups receives the message once.
    const seen = new Set<LifetimeConnection>();
    for (const name of groupNames) {
      const members = this.groupMembers.get(name);
      if (!members) continue;
      for (const connection of members.values()) {
        if (seen.has(connection)) continue;
        seen.add(connection);
        connection.write(message);
      }
    }
  }

  async sendUser(userId: string, message: SerializedMessage): Promise<void> {
    const set = this.userConnections.get(userId);
    if (set) for (const connection of set) connection.write(message);
  }

  async sendUsers(userIds: readonly string[], message: SerializedMessage): Promise<void> {
    for (const userId of new Set(userIds)) await this.sendUser(userId, message);
  }

  async addToGroup(connectionId: string, groupName: string): Promise<void> {
    const connection = this.connections.get(connectionId);
    if (!connection) return; // ASP.NET Core ignores unknown connections here, and so do we.
    let groups = this.connectionGroups.get(connectionId);
    if (groups?.has(groupName)) return;
    // Checked here, where every join of this node's connections lands (the Redis manager's
    // included): a client calling a joining hub method in a loop holds bounded memory.
    const limits = connection.groupLimits ?? DEFAULT_GROUP_LIMITS;
    if (groupName.length > limits.maxGroupNameLength) {
      throw new HubException(`Cannot join a group whose name is longer than ${limits.maxGroupNameLength} characters.`);
    }
    if ((groups?.size ?? 0) >= limits.maxGroupsPerConnection) {
      throw new HubException(`Cannot join group '${groupName}': the connection is already in ${limits.maxGroupsPerConnection} groups, the most allowed.`);
    }
    let members = this.groupMembers.get(groupName);
    if (!members) this.groupMembers.set(groupName, (members = new Map()));
    members.set(connectionId, connection);
    this.memberships++;
    if (!groups) this.connectionGroups.set(connectionId, (groups = new Set()));
    groups.add(groupName);
  }

  async removeFromGroup(connectionId: string, groupName: string): Promise<void> {
    this.leave(connectionId, groupName);
    const groups = this.connectionGroups.get(connectionId);
    if (groups) {
      groups.delete(groupName);
      if (groups.size === 0) this.connectionGroups.delete(connectionId);
    }
  }

  invokeConnection(connectionId: string, method: string, args: readonly unknown[], options: InvokeOptions): Promise<unknown> {
    const connection = this.connections.get(connectionId);
    if (!connection) return Promise.reject(new HubException(`Connection '${connectionId}' does not exist.`));
    return connection.invokeClient(method, args, options);
  }

  private leave(connectionId: string, groupName: string): void {
    const members = this.groupMembers.get(groupName);
    if (!members) return;
    if (members.delete(connectionId)) this.memberships--;
    if (members.size === 0) this.groupMembers.delete(groupName);
  }
}
