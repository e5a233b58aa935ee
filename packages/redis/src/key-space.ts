/**
 * Names of one hub's channels and keys: `{prefix}:{hub}:…`. Channels and keys
 * live in separate Redis namespaces, so they share the base without clashing.
 * The presence scripts (presence/lua.ts) build the same key names in Lua, plus
 * the index sets `users`, `groups` and the `stats` counters.
 */
export class KeySpace {
  readonly base: string;
  /** Every node serving connections listens here: `all` sends and multi-target sends. */
  readonly allChannel: string;

  constructor(prefix: string, hub: string) {
    this.base = `${prefix}:${hub}:`;
    this.allChannel = `${this.base}all`;
  }

  groupChannel(groupName: string): string {
    return `${this.base}group:${groupName}`;
  }

  userChannel(userId: string): string {
    return `${this.base}user:${userId}`;
  }

  connectionChannel(connectionId: string): string {
    return `${this.base}connection:${connectionId}`;
  }

  /** Commands for one node (routed group changes, client results) and replies to it. */
  nodeChannel(nodeId: string): string {
    return `${this.base}node:${nodeId}`;
  }

  /** The hash of one connection: owning node, user, connect time. */
  connectionKey(connectionId: string): string {
    return `${this.base}connection:${connectionId}`;
  }

  userConnectionsKey(userId: string): string {
    return `${this.base}user:connections:${userId}`;
  }

  groupConnectionsKey(groupName: string): string {
    return `${this.base}group:connections:${groupName}`;
  }

  connectionGroupsKey(connectionId: string): string {
    return `${this.base}connection:groups:${connectionId}`;
  }

  /** Sorted set: node id → Redis time (ms) of its last heartbeat. */
  get nodesKey(): string {
    return `${this.base}nodes`;
  }

  nodeConnectionsKey(nodeId: string): string {
    return `${this.base}node:${nodeId}:connections`;
  }
}
