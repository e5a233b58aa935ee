import type { Awaitable } from './awaitable.js';

/** A key's spend within one window: the total before it, the total now, the sum of the amounts, how many. */
export interface SpendWindow {
  readonly previousSpend: number;
  readonly currentSpend: number;
  readonly delta: number;
  readonly updates: number;
}

export interface RecordedSpend {
  readonly previous: number;
  readonly current: number;
  /**
   * This record opened the key's window (or found it long overdue, its opener
   * gone): the caller takes it when the window ends and sends its SpendUpdate.
   * Whoever joins an open window leaves that to its opener, so a window is sent
   * once however many nodes recorded into it.
   */
  readonly opened: boolean;
}

/**
 * Conduit's spend: each key's running total, its window of not yet announced
 * changes, its recent window sizes (for UnusualSpending) and which finished
 * tasks were billed. One node's SQLite and memory, or Redis for every node of a
 * scaled service.
 */
export interface SpendLedger {
  /** Adds `amount` dollars to the key's total and its window, at once; undefined when there is no such key. */
  record(virtualKeyId: string, amount: number, now: number, windowMs: number): Awaitable<RecordedSpend | undefined>;
  /** Takes the key's window, so no one else sends it; undefined when there is none (taken already). */
  take(virtualKeyId: string): Awaitable<SpendWindow | undefined>;
  /** Appends a window's delta to the key's last `keep`; returns the ones before it. */
  remember(virtualKeyId: string, delta: number, keep: number): Awaitable<number[]>;
  /** True the first time it is asked for a task: a finished task is billed once, however many nodes hear it end. */
  claimTask(taskId: string): Awaitable<boolean>;
}
