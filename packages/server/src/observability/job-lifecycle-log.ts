import type { JobEvent, JobEventKind } from '@tidings/jobs';
import type { Logger } from '../logger.js';
import type { JobMoment } from './job-timeline.js';

/** The moments of a job's life an operator reads at info; progress, stages and output stay out of the log. */
const LIFECYCLE: ReadonlySet<JobEventKind> = new Set(['created', 'started', 'completed', 'failed', 'cancelled', 'recovered', 'retrying', 'retried', 'interrupted']);

/**
 * One log line per moment of a job's life (created, started, completed,
 * failed, cancelled, recovered, retrying): id, type, owner, attempt, how long
 * it ran and, in scaled mode, which worker ran it.
 */
export class JobLifecycleLog {
  constructor(private readonly logger: Logger) {}

  record(event: JobEvent, moment: JobMoment): void {
    if (!LIFECYCLE.has(event.kind)) return;
    const { job } = event;
    const fields: Record<string, unknown> = { jobId: job.id, type: job.type, owner: job.ownerId, attempt: job.attempt };
    if (job.parentId) fields.parentId = job.parentId;
    if (moment.worker) fields.worker = moment.worker;
    if (moment.queueWaitSeconds !== undefined) fields.waitMs = Math.round(moment.queueWaitSeconds * 1000);
    if (moment.runSeconds !== undefined) fields.durationMs = Math.round(moment.runSeconds * 1000);
    if (event.kind === 'failed' || event.kind === 'retrying') fields.error = job.error;
    const message = `job ${event.kind}: ${job.type} ${job.id}${event.kind === 'failed' || event.kind === 'retrying' ? ` — ${job.error ?? 'no reason given'}` : ''}`;
    if (event.kind === 'failed') this.logger.warn(fields, message);
    else this.logger.info(fields, message);
  }
}
