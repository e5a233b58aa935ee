/**
 * Who is connected and which groups they are in, as far as a lifetime manager
 * sees: this process for the memory manager, every node for a backplane (like
 * socket.io-adapter's `fetchSockets` / `socketRooms`), for bookkeeping kept as
 * groups (a subscription to something as membership of its group).
 * Connections leave their groups when they close, so a read never lists one that is gone.
 */
export interface HubPresence {
  /** Ids of the user's connections. */
  getUserConnections(userId: string): Promise<string[]>;
  /** Groups the connection is in. */
  getConnectionGroups(connectionId: string): Promise<string[]>;
  /** Ids of the group's connections. */
  getGroupConnections(groupName: string): Promise<string[]>;
}
