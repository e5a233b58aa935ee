import type { ConnectionInfo, NodeInfo, PresenceStats, PresenceStore } from './presence/presence-store.js';
import type { RedisLink } from './redis-link.js';
import { requireName } from './validate.js';

/**
 * Seed 000 §5's connection manager over the cluster view: which connections
 * each user has and which jobs each connection follows, on every node.
 *
 * Connections are registered and removed by the lifetime manager itself (on
 * connect, disconnect and node death), so there is no `addConnection` /
 * `removeConnection` to call: a user's set is always the truth.
 */
export interface RedisConnectionManager {
  /** Connection ids of the user, on every node. */
  getUserConnections(userId: string): Promise<string[]>;
  /** The node, user and connect time of a live connection. */
  getConnection(connectionId: string): Promise<ConnectionInfo | undefined>;
  /**
   * Records that the connection follows the job (seed `AddJobSubscriptionAsync`).
   * Rejects if the connection belongs to another user; ignored for unknown connections.
   * Cleared automatically when the connection ends.
   */
  addJobSubscription(userId: string, jobId: string, connectionId: string): Promise<void>;
  removeJobSubscription(userId: string, jobId: string, connectionId: string): Promise<void>;
  /** Jobs followed by any connection of the user ("active jobs of this user"). */
  getUserSubscriptions(userId: string): Promise<string[]>;
  getJobConnections(jobId: string): Promise<string[]>;
  getConnectionJobs(connectionId: string): Promise<string[]>;
  getConnectionGroups(connectionId: string): Promise<string[]>;
  getGroupConnections(groupName: string): Promise<string[]>;
  /** Live nodes with their last heartbeat and connection count. */
  getNodes(): Promise<NodeInfo[]>;
  /** Cluster-wide counts for metrics. */
  getStats(): Promise<PresenceStats>;
}

/** Routes a job (un)subscription to the node that owns the connection. */
export type JobSubscriber = (add: boolean, connectionId: string, jobId: string, userId: string) => Promise<void>;

export class ClusterConnectionManager implements RedisConnectionManager {
  constructor(
    private readonly store: PresenceStore,
    private readonly link: RedisLink,
    private readonly subscribe: JobSubscriber,
  ) {}

  async getUserConnections(userId: string): Promise<string[]> {
    await this.link.usable();
    return this.store.userConnections(requireName(userId, 'userId'));
  }

  async getConnection(connectionId: string): Promise<ConnectionInfo | undefined> {
    await this.link.usable();
    return this.store.connection(requireName(connectionId, 'connectionId'));
  }

  async addJobSubscription(userId: string, jobId: string, connectionId: string): Promise<void> {
    await this.subscribe(true, requireName(connectionId, 'connectionId'), requireName(jobId, 'jobId'), requireName(userId, 'userId'));
  }

  async removeJobSubscription(userId: string, jobId: string, connectionId: string): Promise<void> {
    await this.subscribe(false, requireName(connectionId, 'connectionId'), requireName(jobId, 'jobId'), requireName(userId, 'userId'));
  }

  async getUserSubscriptions(userId: string): Promise<string[]> {
    await this.link.usable();
    return this.store.userSubscriptions(requireName(userId, 'userId'));
  }

  async getJobConnections(jobId: string): Promise<string[]> {
    await this.link.usable();
    return this.store.members('job', requireName(jobId, 'jobId'));
  }

  async getConnectionJobs(connectionId: string): Promise<string[]> {
    await this.link.usable();
    return this.store.membershipsOf('job', requireName(connectionId, 'connectionId'));
  }

  async getConnectionGroups(connectionId: string): Promise<string[]> {
    await this.link.usable();
    return this.store.membershipsOf('group', requireName(connectionId, 'connectionId'));
  }

  async getGroupConnections(groupName: string): Promise<string[]> {
    await this.link.usable();
    return this.store.members('group', requireName(groupName, 'groupName'));
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
