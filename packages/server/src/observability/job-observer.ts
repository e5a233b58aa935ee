import type { JobEvent, JobEventSink } from '@tidings/jobs';
import type { JobLifecycleLog } from './job-lifecycle-log.js';
import type { JobMetrics } from './job-metrics.js';
import type { JobTimeline } from './job-timeline.js';

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

  async deliver(event: JobEvent): Promise<void> {
    const terminal = event.kind === 'completed' || event.kind === 'failed' || event.kind === 'cancelled';
    let moment = terminal ? await this.timeline.finish(event) : this.timeline.observe(event);
    if (event.kind === 'started' && this.log) {
      const worker = await this.timeline.workerNow(event.jobId);
      if (worker) moment = { ...moment, worker };
    }
    this.metrics?.record(event, moment);
    this.log?.record(event, moment);
  }
}
