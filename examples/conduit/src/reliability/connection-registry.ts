import type { GroupManager, HubCallerContext, HubUser } from '@tidings/hub';

/** A connection as the registry knows it. */
export interface RegisteredConnection {
  readonly hub: string;
  readonly connectionId: string;
  readonly userIdentifier: string | null;
  /** Who authenticated it (its claims say with what credential). */
  readonly user: HubUser | undefined;
  readonly connectedAt: string;
  readonly groups: ReadonlySet<string>;
  /** Closes the connection. */
  abort(): void;
}

interface Entry extends RegisteredConnection {
  readonly groups: Set<string>;
}

/**
 * The connections of some hubs on this node and the groups they joined
 * through the registry: who should acknowledge a message sent
 * to a group, which connections a revoked key has open, and counts for
 * monitoring. Hubs join and leave groups through it so it stays exact.
 */
export class ConnectionRegistry {
  private readonly connections = new Map<string, Entry>();
  private readonly members = new Map<string, Set<string>>();

  connected(hub: string, context: HubCallerContext): void {
    this.connections.set(context.connectionId, {
      hub,
      connectionId: context.connectionId,
      userIdentifier: context.userIdentifier ?? null,
      user: context.user,
      connectedAt: new Date().toISOString(),
      groups: new Set(),
      abort: () => context.abort(),
    });
  }

  disconnected(connectionId: string): void {
    const entry = this.connections.get(connectionId);
    if (!entry) return;
    for (const group of entry.groups) this.dropMember(entry.hub, group, connectionId);
    this.connections.delete(connectionId);
  }

  async join(groups: GroupManager, connectionId: string, group: string): Promise<void> {
    await groups.addToGroup(connectionId, group);
    const entry = this.connections.get(connectionId);
    if (!entry) return;
    entry.groups.add(group);
    const key = memberKey(entry.hub, group);
    let set = this.members.get(key);
    if (!set) this.members.set(key, (set = new Set()));
    set.add(connectionId);
  }

  async leave(groups: GroupManager, connectionId: string, group: string): Promise<void> {
    await groups.removeFromGroup(connectionId, group);
    const entry = this.connections.get(connectionId);
    if (!entry) return;
    entry.groups.delete(group);
    this.dropMember(entry.hub, group, connectionId);
  }

  get(connectionId: string): RegisteredConnection | undefined {
    return this.connections.get(connectionId);
  }

  /** Connections of `hub` in any of `groups` on this node, each once. */
  membersOf(hub: string, groups: readonly string[]): RegisteredConnection[] {
    const ids = new Set<string>();
    for (const group of groups) for (const id of this.members.get(memberKey(hub, group)) ?? []) ids.add(id);
    return [...ids].map((id) => this.connections.get(id)).filter((c): c is Entry => c !== undefined);
  }

  /** Every connection of a user (a virtual key) on any hub. */
  connectionsOf(userIdentifier: string): RegisteredConnection[] {
    return [...this.connections.values()].filter((c) => c.userIdentifier === userIdentifier);
  }

  /** Every connection registered here. */
  all(): IterableIterator<RegisteredConnection> {
    return this.connections.values();
  }

  private dropMember(hub: string, group: string, connectionId: string): void {
    const key = memberKey(hub, group);
    const set = this.members.get(key);
    set?.delete(connectionId);
    if (set?.size === 0) this.members.delete(key);
  }

  /** Connections and joined groups per hub. */
  get metrics(): Record<string, { connections: number; groups: number }> {
    const out: Record<string, { connections: number; groups: number }> = {};
    for (const c of this.connections.values()) (out[c.hub] ??= { connections: 0, groups: 0 }).connections++;
    for (const key of this.members.keys()) {
      const hub = key.slice(0, key.indexOf('\u0000'));
      (out[hub] ??= { connections: 0, groups: 0 }).groups++;
    }
    return out;
  }
}

function memberKey(hub: string, group: string): string {
  return `${hub}\u0000${group}`;
}
