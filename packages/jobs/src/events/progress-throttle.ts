import type { Clock, TimerHandle } from '../clock.js';

export interface ThrottleOptions {
  /** At most one ordinary progress update per job per this many ms. */
  readonly intervalMs: number;
  /** A change of at least this many points goes out at once. */
  readonly minJump: number;
  readonly clock: Clock;
}

interface Sent {
  at: number;
  progress: number;
  stage: string | null;
}

/**
 * Decides, per job, whether a progress update goes out now or waits (seed 000
 * §9): at most one per interval, except a stage change or a jump of
 * `minJump` points, which go at once. A waiting update is not dropped: when
 * the interval is up the caller is told to send the latest state (the
 * trailing edge), unless something newer was sent first.
 */
export class ProgressThrottle {
  private readonly sent = new Map<string, Sent>();
  private readonly timers = new Map<string, TimerHandle>();

  constructor(private readonly options: ThrottleOptions) {}

  /**
   * `'now'`: send this update. `'later'`: it waits; `onDue` is called once the
   * interval is up (one timer per job, however many updates wait).
   */
  decide(jobId: string, progress: number, stage: string | null, onDue: () => void): 'now' | 'later' {
    const last = this.sent.get(jobId);
    const now = this.options.clock.now();
    if (
      !last ||
      last.stage !== stage ||
      Math.abs(progress - last.progress) >= this.options.minJump ||
      now - last.at >= this.options.intervalMs
    ) {
      return 'now';
    }
    if (!this.timers.has(jobId)) {
      const timer = this.options.clock.setTimeout(() => {
        this.timers.delete(jobId);
        onDue();
      }, last.at + this.options.intervalMs - now);
      this.timers.set(jobId, timer);
    }
    return 'later';
  }

  /** Whether the last update sent for the job was in another stage than `stage`. */
  isStageChange(jobId: string, stage: string | null): boolean {
    const last = this.sent.get(jobId);
    return last !== undefined && last.stage !== stage;
  }

  /** Records that the job's state went out; a waiting update is superseded by it. */
  sentNow(jobId: string, progress: number, stage: string | null): void {
    this.cancelTimer(jobId);
    this.sent.set(jobId, { at: this.options.clock.now(), progress, stage });
  }

  /** Forgets the job (after its terminal event). */
  forget(jobId: string): void {
    this.cancelTimer(jobId);
    this.sent.delete(jobId);
  }

  private cancelTimer(jobId: string): void {
    const timer = this.timers.get(jobId);
    if (timer !== undefined) {
      this.options.clock.clearTimeout(timer);
      this.timers.delete(jobId);
    }
  }
}
