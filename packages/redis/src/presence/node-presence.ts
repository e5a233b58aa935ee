import type { HubLogger } from '@tidings/hub';
import type { RedisLink } from '../redis-link.js';
import { loadScripts } from './lua.js';
import type { ConnectionRecord, PresenceStore } from './presence-store.js';

interface LocalRecord extends ConnectionRecord {
  readonly groups: Set<string>;
}

export interface NodePresenceOptions {
  readonly nodeId: string;
  readonly heartbeatIntervalMs: number;
  readonly nodeTimeoutMs: number;
}

/**
 * This node's share of the cluster view. The node's own memory is the truth:
 * every change is written through to Redis, and whenever Redis may have missed
 * or lost some (a failed write, a reconnect, a Redis restart, this node having
 * been reaped during a long pause) the node replaces its entries wholesale.
 * Each heartbeat also reaps nodes that stopped beating, so a crashed node
 * leaves no ghost connections, users or memberships behind.
 */
export class NodePresence {
  private readonly records = new Map<string, LocalRecord>();
  private needsResync = true;
  private timer: NodeJS.Timeout | undefined;
  private ticking = false;
  private stopped = false;

  constructor(
    private readonly store: PresenceStore,
    private readonly link: RedisLink,
    private readonly options: NodePresenceOptions,
    private readonly logger: HubLogger,
    private readonly onNodesReaped: (nodeIds: readonly string[]) => void,
  ) {}

  start(): void {
    this.link.onReady(() => {
      // Whatever failed while Redis was away must be rewritten, and after a restart nothing is left.
      this.needsResync = true;
      void this.tick();
    });
    this.timer = setInterval(() => void this.tick(), this.options.heartbeatIntervalMs);
    this.timer.unref();
    if (this.link.isReady) void this.tick();
  }

  connected(connectionId: string, userId: string | undefined): Promise<void> {
    const record: LocalRecord = { connectionId, userId, connectedAt: Date.now(), groups: new Set() };
    this.records.set(connectionId, record);
    return this.write(() => this.store.register(this.options.nodeId, record), 'register connection');
  }

  disconnected(connectionId: string): Promise<void> {
    if (!this.records.delete(connectionId)) return Promise.resolve();
    return this.write(() => this.store.unregister(connectionId), 'unregister connection');
  }

  /** Records a group membership of a connection on this node (others are not ours to record). */
  membership(add: boolean, connectionId: string, groupName: string): Promise<void> {
    const record = this.records.get(connectionId);
    if (!record) return Promise.resolve();
    if (add) record.groups.add(groupName);
    else record.groups.delete(groupName);
    return this.write(() => this.store.membership(add, connectionId, groupName), `${add ? 'add' : 'remove'} group membership`);
  }

  /** Heartbeat, resync when needed, reap dead nodes. Never throws. */
  async tick(): Promise<void> {
    if (this.ticking || this.stopped || !this.link.isReady) return;
    this.ticking = true;
    try {
      await this.beat();
      await this.reap();
    } finally {
      this.ticking = false;
      // Writes skipped since this tick began wait for a resync; do not leave them to the next heartbeat.
      if (this.needsResync && !this.stopped && this.link.isReady) {
        setTimeout(() => void this.tick(), Math.min(this.options.heartbeatIntervalMs, 500)).unref();
      }
    }
  }

  private async beat(): Promise<void> {
    try {
      if (this.needsResync) await this.resync();
      else if (!(await this.store.heartbeat(this.options.nodeId))) {
        this.logger.warn({ nodeId: this.options.nodeId }, 'Redis had lost this node (restart, or reaped during a pause); re-registering');
        await this.resync();
      }
    } catch (error) {
      this.needsResync = true;
      this.logger.debug({ error: (error as Error).message }, 'presence heartbeat failed; retrying');
    }
  }

  private async reap(): Promise<void> {
    try {
      const dead = await this.store.reap(this.options.nodeTimeoutMs);
      if (dead.length === 0) return;
      this.logger.info({ nodes: dead }, 'removed the connections of nodes that stopped heartbeating');
      this.onNodesReaped(dead);
    } catch (error) {
      this.logger.debug({ error: (error as Error).message }, 'reaping dead nodes failed; retrying on the next heartbeat');
    }
  }

  /** Removes this node's entries from Redis (graceful shutdown). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    if (!this.link.isReady) return;
    try {
      await this.store.cleanNode(this.options.nodeId);
    } catch (error) {
      this.logger.debug({ error: (error as Error).message }, 'could not remove this node from Redis on shutdown');
    }
  }

  /**
   * Replaces this node's entries with its current state. All commands are
   * issued synchronously, in order, on the one command connection, so a change
   * made after this starts always lands after it.
   */
  private async resync(): Promise<void> {
    this.needsResync = false;
    const writes: Promise<unknown>[] = [loadScripts(this.link.client), this.store.cleanNode(this.options.nodeId)];
    for (const record of this.records.values()) writes.push(this.store.register(this.options.nodeId, record));
    writes.push(this.store.heartbeat(this.options.nodeId));
    const results = await Promise.allSettled(writes);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) {
      this.needsResync = true;
      throw failed.reason as Error;
    }
    this.logger.debug({ connections: this.records.size }, 'presence resynchronized');
  }

  private async write(operation: () => Promise<unknown>, what: string): Promise<void> {
    if (this.needsResync || !this.link.isReady) {
      // The coming resync writes the current state; a write now could only race with it.
      this.needsResync = true;
      void this.tick();
      return;
    }
    try {
      await operation();
    } catch (error) {
      this.needsResync = true;
      this.logger.warn({ error: (error as Error).message }, `presence: could not ${what}; will resynchronize`);
      void this.tick();
    }
  }
}
