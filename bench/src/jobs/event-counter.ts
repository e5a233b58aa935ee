import { monotonicMicros } from '../clock.js';
import type { JobRound } from './job-bench.js';

/** Counts the events of a round and resolves with the monotonic time of the one that completes it. */
export class EventCounter {
  private count = 0;
  private target = Number.POSITIVE_INFINITY;
  private done: ((lastAtUs: number) => void) | undefined;

  /** Starts a round of `events`; the promise resolves when the last has been counted. */
  arm(events: number): Promise<number> {
    this.count = 0;
    this.target = events;
    return new Promise((resolve) => (this.done = resolve));
  }

  /** Times a round: from just before `start` (which enqueues the jobs) to the last of `events`. */
  async round(events: number, start: () => Promise<unknown>): Promise<JobRound> {
    const received = this.arm(events);
    const startedAtUs = monotonicMicros();
    await start();
    return { startedAtUs, lastAtUs: await received };
  }

  add(): void {
    if (++this.count === this.target) this.done?.(monotonicMicros());
    else if (this.count > this.target) throw new Error(`Counted ${this.count} events; the round had ${this.target}.`);
  }

  get counted(): number {
    return this.count;
  }
}
