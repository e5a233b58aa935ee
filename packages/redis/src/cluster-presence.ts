import type { HubPresence } from '@tidings/hub';
import type { ConnectionInfo, NodeInfo, PresenceStats, PresenceStore } from './presence/presence-store.js';
import type { RedisLink } from './redis-link.js';
import { requireName } from './validate.js';

/**
 * The cluster view in Redis: each user's connections, where each connection
 * lives, the groups' members, the nodes and their counts, read from any
 * process (socket.io-adapter's `fetchSockets` level). Bookkeeping of an app's
 * own (YoutubeRag's job subscriptions) is kept as group memberships and read
 * back from here.
 *
 * Connections and their groups are registered and removed by the lifetime
 * manager itself (on connect, join, leave, disconnect and node death), so
 * there is nothing to add or remove here: a user's set is always the truth.
 */
export interface RedisPresence extends HubPresence {
  /** The node, user and connect time of a live connection. */
  getConnection(connectionId: string): Promise<ConnectionInfo | undefined>;
  /** Live nodes with their last heartbeat and connection count. */
  getNodes(): Promise<NodeInfo[]>;
  /** Cluster-wide counts for metrics. */
  getStats(): Promise<PresenceStats>;
}

export class ClusterPresence implements RedisPresence {
  constructor(
    private readonly store: PresenceStore,
    private readonly link: RedisLink,
  ) {}

  async getUserConnections(userId: string): Promise<string[]> {
    await this.link.usable();
    return this.store.userConnections(requireName(userId, 'userId'));
  }

  async getConnection(connectionId: string): Promise<ConnectionInfo | undefined> {
    await this.link.usable();
    return this.store.connection(requireName(connectionId, 'connectionId'));
  }

  async getConnectionGroups(connectionId: string): Promise<string[]> {
    await this.link.usable();
    return this.store.connectionGroups(requireName(connectionId, 'connectionId'));
  }

  async getGroupConnections(groupName: string): Promise<string[]> {
    await this.link.usable();
    return this.store.groupConnections(requireName(groupName, 'groupName'));
  }

  async getNodes(): Promise<NodeInfo[]> {
    await this.link.usable();
    return this.store.nodes();
  }

  async getStats(): Promise<PresenceStats> {
    await this.link.usable();
    return this.store.stats();
  }
}
