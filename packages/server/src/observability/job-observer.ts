import type { JobEvent, JobEventSink } from '@tidings/jobs';
import type { JobLifecycleLog } from './job-lifecycle-log.js';
import type { JobMetrics } from './job-metrics.js';
import type { JobMoment, JobTimeline } from './job-timeline.js';

/**
 * The sink the service's metrics and lifecycle log hear job events through
 * (the jobs package's public API; on an API node in scaled mode, the events
 * of every worker, from the feed).
 */
export class JobObserver implements JobEventSink {
  readonly name = 'observability';

  constructor(
    private readonly timeline: JobTimeline,
    private readonly metrics: JobMetrics | undefined,
    private readonly log: JobLifecycleLog | undefined,
  ) {}

  /** Synchronous for all but a job's start and end: a promise per progress tick cost a deadline and microtasks per event. */
  deliver(event: JobEvent): void | Promise<void> {
    const terminal = event.kind === 'completed' || event.kind === 'failed' || event.kind === 'cancelled';
    if (terminal) return this.timeline.finish(event).then((moment) => this.record(event, moment));
    const moment = this.timeline.observe(event);
    if (event.kind === 'started' && this.log) {
      return this.timeline.workerNow(event.jobId).then((worker) => this.record(event, worker ? { ...moment, worker } : moment));
    }
    this.record(event, moment);
  }

  private record(event: JobEvent, moment: JobMoment): void {
    this.metrics?.record(event, moment);
    this.log?.record(event, moment);
  }
}
