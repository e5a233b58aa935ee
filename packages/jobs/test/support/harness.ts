import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type JobEngineOptions, type JobEvent, JobEngine, SqliteJobStore } from '../../src/index.js';

export { waitFor, delay } from '../../../hub/test/support/wait.js';

/** A fresh directory for a test's SQLite file; removed by `cleanup`. */
export function tempDir(): { path: string; cleanup(): void } {
  const path = mkdtempSync(join(tmpdir(), 'tidings-jobs-'));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}

export interface Harness {
  readonly engine: JobEngine;
  readonly store: SqliteJobStore;
  /** Every event delivered to the sink, in delivery order. */
  readonly events: JobEvent[];
  eventsOf(jobId: string): JobEvent[];
  close(): Promise<void>;
}

/** An engine on a real SQLite file in `dir`, with a sink recording every event. */
export function harness(dir: string, options: Partial<JobEngineOptions> = {}): Harness {
  const store = new SqliteJobStore(join(dir, 'jobs.db'));
  const engine = new JobEngine({ store, throttleIntervalMs: 1000, ...options });
  const events: JobEvent[] = [];
  engine.addSink({ name: 'recorder', deliver: (event) => void events.push(event) });
  return {
    engine,
    store,
    events,
    eventsOf: (jobId) => events.filter((e) => e.jobId === jobId),
    async close() {
      await engine.stop();
      await store.close();
    },
  };
}

/** Resolves the next time `release()` is called: lets a test step a processor. */
export class Gate {
  private waiters: (() => void)[] = [];
  wait(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }
  release(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
  get waiting(): number {
    return this.waiters.length;
  }
}
