import { KeyedMutex } from '../keyed-mutex.js';
import type { JobEvent } from '../model.js';

/**
 * Where a JobEventWriter puts a job's writes in order and hands on each event
 * it stored. `LocalJobEvents` is one (it delivers the event to this process's
 * sinks on the same chain); `OrderedWrites` is the one for processes whose
 * events another process delivers (a Redis feed).
 */
export interface JobEventLine {
  /** Runs `task` once every earlier task of the job has finished. */
  run<T>(jobId: string, task: () => Promise<T>): Promise<T>;
  /** Called inside `run`, in sequence order, with each event just stored. */
  stored(event: JobEvent): Promise<void>;
  /** Resolves once no task is queued or running. */
  idle(): Promise<void>;
}

/** A line that only orders writes: the events are delivered elsewhere (a Redis feed reads them back). */
export class OrderedWrites implements JobEventLine {
  private readonly chains = new KeyedMutex();

  run<T>(jobId: string, task: () => Promise<T>): Promise<T> {
    return this.chains.run(jobId, task);
  }

  async stored(): Promise<void> {}

  idle(): Promise<void> {
    return this.chains.idle();
  }
}
