import type { Redis } from 'ioredis';
import type { KeySpace } from '../key-space.js';
import { scripts } from './lua.js';

/** One connection as the cluster sees it. */
export interface ConnectionInfo {
  readonly connectionId: string;
  readonly nodeId: string;
  readonly userId: string | undefined;
  readonly connectedAt: Date;
}

export interface NodeInfo {
  readonly nodeId: string;
  readonly lastHeartbeatAt: Date;
  readonly connections: number;
}

/** Cluster-wide counts for metrics. */
export interface PresenceStats {
  readonly nodes: number;
  readonly connections: number;
  /** Users with at least one connection. */
  readonly users: number;
  /** Groups with at least one member. */
  readonly groups: number;
  /** (connection, group) pairs. */
  readonly groupMemberships: number;
}

/** What a node restores about one of its connections after Redis lost it. */
export interface ConnectionRecord {
  readonly connectionId: string;
  readonly userId: string | undefined;
  readonly connectedAt: number;
  readonly groups: Iterable<string>;
}

/** The cluster view in Redis: typed calls over the presence scripts and plain reads. */
export class PresenceStore {
  constructor(
    private readonly client: Redis,
    private readonly keys: KeySpace,
  ) {}

  register(nodeId: string, record: ConnectionRecord): Promise<unknown> {
    return scripts.register.run(this.client, [
      this.keys.base,
      nodeId,
      record.connectionId,
      record.userId === undefined ? '0' : '1',
      record.userId ?? '',
      record.connectedAt,
      ...record.groups,
    ]);
  }

  unregister(connectionId: string): Promise<unknown> {
    return scripts.unregister.run(this.client, [this.keys.base, connectionId]);
  }

  membership(add: boolean, connectionId: string, groupName: string): Promise<unknown> {
    return scripts.membership.run(this.client, [this.keys.base, add ? 'add' : 'remove', connectionId, groupName]);
  }

  /** Refreshes the node's heartbeat; false when Redis no longer knew the node (reaped, or data lost). */
  async heartbeat(nodeId: string): Promise<boolean> {
    return (await scripts.heartbeat.run(this.client, [this.keys.base, nodeId])) === 1;
  }

  /** Removes every node silent for longer than `timeoutMs`, with all its connections; returns their ids. */
  async reap(timeoutMs: number): Promise<string[]> {
    return (await scripts.reap.run(this.client, [this.keys.base, timeoutMs])) as string[];
  }

  cleanNode(nodeId: string): Promise<unknown> {
    return scripts.cleanNode.run(this.client, [this.keys.base, nodeId]);
  }

  async ownerOf(connectionId: string): Promise<string | undefined> {
    return (await this.client.hget(this.keys.connectionKey(connectionId), 'node')) ?? undefined;
  }

  async connection(connectionId: string): Promise<ConnectionInfo | undefined> {
    const fields = await this.client.hgetall(this.keys.connectionKey(connectionId));
    if (fields.node === undefined) return undefined;
    return { connectionId, nodeId: fields.node, userId: fields.user, connectedAt: new Date(Number(fields.connectedAt)) };
  }

  userConnections(userId: string): Promise<string[]> {
    return this.client.smembers(this.keys.userConnectionsKey(userId));
  }

  groupConnections(groupName: string): Promise<string[]> {
    return this.client.smembers(this.keys.groupConnectionsKey(groupName));
  }

  connectionGroups(connectionId: string): Promise<string[]> {
    return this.client.smembers(this.keys.connectionGroupsKey(connectionId));
  }

  async nodes(): Promise<NodeInfo[]> {
    const flat = await this.client.zrange(this.keys.nodesKey, 0, -1, 'WITHSCORES');
    const ids = flat.filter((_, i) => i % 2 === 0);
    const pipeline = this.client.pipeline();
    for (const id of ids) pipeline.scard(this.keys.nodeConnectionsKey(id));
    const counts = (await pipeline.exec()) ?? [];
    return ids.map((nodeId, i) => ({
      nodeId,
      lastHeartbeatAt: new Date(Number(flat[i * 2 + 1])),
      connections: Number(counts[i]?.[1] ?? 0),
    }));
  }

  async stats(): Promise<PresenceStats> {
    const [nodes, connections, users, groups, groupMemberships] = (await scripts.stats.run(this.client, [this.keys.base])) as number[];
    return {
      nodes: nodes ?? 0,
      connections: connections ?? 0,
      users: users ?? 0,
      groups: groups ?? 0,
      groupMemberships: groupMemberships ?? 0,
    };
  }
}
