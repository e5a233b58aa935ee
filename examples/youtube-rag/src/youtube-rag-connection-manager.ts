import type { GroupManager, HubPresence } from '@tidings/hub';
import { youtubeRagGroups as groups } from './youtube-rag-client.js';

/**
 * YoutubeRag's connection manager (its `IConnectionManager`): which
 * connections each user has and which jobs each connection follows.
 *
 * A job subscription is the connection's membership of the job's group
 * `job-{id}`, the group `subscribeToJob` joins, so the hub's lifetime manager
 * keeps it: in memory on one node, in the Redis backplane's presence across
 * nodes. A subscription made on any node is seen from every node, and ends
 * when its connection closes (or its node dies). Connections are added and
 * removed by the hub as they come and go; there is nothing to register here.
 */
export class YoutubeRagConnectionManager {
  constructor(
    /** Joins and leaves `/hubs/progress`'s groups, for connections on any node. */
    private readonly groupManager: GroupManager,
    /** The connections and groups of `/hubs/progress`, as far as its lifetime manager reaches. */
    private readonly presence: HubPresence,
  ) {}

  /** Connection ids of the user, on every node. */
  getUserConnections(userId: string): Promise<string[]> {
    return this.presence.getUserConnections(requireId(userId, 'userId'));
  }

  /**
   * Subscribes the user's connection to the job's events (YoutubeRag's
   * `AddJobSubscriptionAsync`; the job's access is the caller's to check, as
   * `subscribeToJob` does). Rejects a connection that is not one of the user's.
   */
  async addJobSubscription(userId: string, jobId: string, connectionId: string): Promise<void> {
    const group = groups.job(requireId(jobId, 'jobId'));
    if (!(await this.isUsers(userId, connectionId))) {
      throw new Error(`Connection '${connectionId}' is not a connection of user '${userId}'.`);
    }
    await this.groupManager.addToGroup(connectionId, group);
  }

  /** Ends the subscription; nothing to do for a connection that is not the user's (any more). */
  async removeJobSubscription(userId: string, jobId: string, connectionId: string): Promise<void> {
    const group = groups.job(requireId(jobId, 'jobId'));
    if (await this.isUsers(userId, connectionId)) await this.groupManager.removeFromGroup(connectionId, group);
  }

  /** Jobs followed by any connection of the user. */
  async getUserSubscriptions(userId: string): Promise<string[]> {
    const connections = await this.getUserConnections(userId);
    const jobs = await Promise.all(connections.map((id) => this.getConnectionJobs(id)));
    return [...new Set(jobs.flat())];
  }

  /** Connections following the job, on every node. */
  getJobConnections(jobId: string): Promise<string[]> {
    return this.presence.getGroupConnections(groups.job(requireId(jobId, 'jobId')));
  }

  /** Jobs the connection follows. */
  async getConnectionJobs(connectionId: string): Promise<string[]> {
    const memberships = await this.presence.getConnectionGroups(requireId(connectionId, 'connectionId'));
    return memberships.flatMap((group) => groups.jobOf(group) ?? []);
  }

  private async isUsers(userId: string, connectionId: string): Promise<boolean> {
    requireId(connectionId, 'connectionId');
    return (await this.getUserConnections(userId)).includes(connectionId);
  }
}

function requireId(value: string, what: string): string {
  if (typeof value !== 'string' || value.length === 0) throw new TypeError(`${what} must be a non-empty string.`);
  return value;
}
