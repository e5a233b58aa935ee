import type { JobProgressUpdate } from '../contract.js';

/**
 * The servers under test. `ws*` is hand-rolled fan-out over the `ws` package:
 * one frame per message (`ws`), the same with a turn's writes coalesced
 * (`ws-coalesced`), or a turn's records in one frame shared by every
 * recipient (`ws-batched`).
 */
export const SYSTEM_NAMES = ['tidings', 'socket.io', 'ws-batched', 'ws-coalesced', 'ws'] as const;
export type SystemName = (typeof SYSTEM_NAMES)[number];

/** A running server of one system, holding subscribers in groups (rooms). It lives as long as its worker process. */
export interface BenchSystem {
  readonly port: number;
  /** Sends one update to every member of `group`, the way this system's users would. */
  broadcast(group: string, update: JobProgressUpdate): void;
}
