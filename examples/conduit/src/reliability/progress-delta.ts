/** The fields of a task's progress that deltas are taken of. */
export interface ProgressSnapshot {
  readonly progressPercentage: number;
  readonly status: string;
  readonly message: string | null;
}

/** only what changed since the last delta of the task. Unchanged fields are left out. */
export interface ProgressDelta extends Partial<ProgressSnapshot> {
  readonly taskId: string;
  readonly timestamp: string;
}

/**
 * Remembers the last progress sent per task and yields what changed. The
 * first delta of a task carries every field.
 */
export class ProgressDeltaTracker {
  private readonly last = new Map<string, ProgressSnapshot>();

  /** The delta to send, or undefined when nothing changed. */
  delta(taskId: string, current: ProgressSnapshot, timestamp: string): ProgressDelta | undefined {
    const before = this.last.get(taskId);
    this.last.set(taskId, { ...current });
    const changed: { -readonly [K in keyof ProgressSnapshot]?: ProgressSnapshot[K] } = {};
    for (const field of ['progressPercentage', 'status', 'message'] as const) {
      if (!before || before[field] !== current[field]) (changed as Record<string, unknown>)[field] = current[field];
    }
    if (Object.keys(changed).length === 0) return undefined;
    return { taskId, ...changed, timestamp };
  }

  /** The task is over: no more deltas, nothing kept. */
  forget(taskId: string): void {
    this.last.delete(taskId);
  }

  get size(): number {
    return this.last.size;
  }
}
