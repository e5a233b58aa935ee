import type { SerializedMessage } from '../protocol/serialized-message.js';
import type { HubPresence } from './hub-presence.js';

export interface InvokeOptions {
  /** Give up after this long (default: the hub's `clientResultTimeoutMs`). */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

/** How many groups one connection may be in, and how long a group name may be. */
export interface GroupLimits {
  readonly maxGroupsPerConnection: number;
  readonly maxGroupNameLength: number;
}

/** Safe defaults for connections that carry no limits of their own. */
export const DEFAULT_GROUP_LIMITS: GroupLimits = Object.freeze({ maxGroupsPerConnection: 100, maxGroupNameLength: 1024 });

/** What a lifetime manager needs of a live connection on this node. */
export interface LifetimeConnection {
  readonly connectionId: string;
  readonly userIdentifier: string | undefined;
  /**
   * The limits of its hub, checked by the node that holds the connection whatever
   * lifetime manager routes the join there. Default: DEFAULT_GROUP_LIMITS.
   */
  readonly groupLimits?: GroupLimits;
  /** Queues the message; the bytes are encoded once per protocol, not per connection. */
  write(message: SerializedMessage): void;
  /** Invokes a client method and resolves with the client's result. */
  invokeClient(method: string, args: readonly unknown[], options: InvokeOptions): Promise<unknown>;
}

/**
 * Decides who receives a send: this node only (memory) or every node (Redis).
 * Every operation is asynchronous so a backplane can sit behind it.
 */
export interface HubLifetimeManager {
  onConnected(connection: LifetimeConnection): Promise<void>;
  onDisconnected(connection: LifetimeConnection): Promise<void>;

  sendAll(message: SerializedMessage, excludedConnectionIds?: readonly string[]): Promise<void>;
  sendConnection(connectionId: string, message: SerializedMessage): Promise<void>;
  sendConnections(connectionIds: readonly string[], message: SerializedMessage): Promise<void>;
  sendGroup(groupName: string, message: SerializedMessage, excludedConnectionIds?: readonly string[]): Promise<void>;
  sendGroups(groupNames: readonly string[], message: SerializedMessage): Promise<void>;
  sendUser(userId: string, message: SerializedMessage): Promise<void>;
  sendUsers(userIds: readonly string[], message: SerializedMessage): Promise<void>;

  addToGroup(connectionId: string, groupName: string): Promise<void>;
  removeFromGroup(connectionId: string, groupName: string): Promise<void>;

  invokeConnection(connectionId: string, method: string, args: readonly unknown[], options: InvokeOptions): Promise<unknown>;

  /**
   * The same connections seen from this node only (Socket.IO's `io.local`): its sends
   * reach this node's connections and no other node's. Absent on a manager that is
   * node-local already (the memory manager), which is then its own local view.
   */
  readonly local?: HubLifetimeManager;

  /**
   * Who is connected and which groups they are in, as far as this manager reaches:
   * every node on a backplane, this node on the memory manager and on `local`.
   */
  readonly presence?: HubPresence;

  /** Group memberships of this node's connections, for metrics (a connection in three groups counts three). */
  readonly localGroupMemberships?: number;

  /** Releases timers and backplane connections. */
  dispose?(): Promise<void>;
}
