import { type JobCompleted, type JobFailed, type JobOutput, type JobProgressUpdate, type Notification, jobCompletedOf, jobFailedOf, jobOutputOf, jobProgressUpdateOf } from '@tidings/contract';
import type { Job, JobEvent, JobStatus } from '@tidings/jobs';
import { jobDto } from '../../http/job-dto.js';
import { PIPELINE_TYPE } from '../../videos/video-pipeline.js';

/**
 * Builds `/hubs/job-progress`'s payloads from jobs, each with the job's
 * `sequence`: the wire contract's mappings of the job as REST shows it, the
 * same a client uses to rebuild a missed event from the job's history.
 */

export function jobProgressUpdate(job: Job): JobProgressUpdate {
  return jobProgressUpdateOf(jobDto(job));
}

export function jobCompleted(job: Job): JobCompleted {
  return jobCompletedOf(jobDto(job));
}

/** An `output` or `outputTruncated` event as `JobOutput`; undefined for any other event. */
export function jobOutput(event: JobEvent): JobOutput | undefined {
  return jobOutputOf(event.jobId, event, event.job.outputStats.dropped);
}

export function jobFailed(job: Job): JobFailed {
  return jobFailedOf(jobDto(job));
}

const OUTCOME_TEXT: Partial<Record<JobStatus, string>> = { Completed: 'completed', Failed: 'failed', Cancelled: 'was cancelled' };

/** For the owner's `user-{userId}` group when one of their top-level jobs ends; undefined for any other job or event. */
export function ownerNotification(job: Job): { readonly userId: string; readonly notification: Notification } | undefined {
  const outcome = OUTCOME_TEXT[job.status];
  if (!outcome || !job.ownerId || job.parentId !== null) return undefined;
  const what = job.type === PIPELINE_TYPE ? 'Video processing' : `Job ${job.type}`;
  const notification: Notification = {
    type: `Job${job.status}`,
    message: `${what} ${outcome}${job.status === 'Failed' && job.error ? `: ${job.error}` : ''}`,
    data: { jobId: job.id, videoId: job.subject, jobType: job.type, status: job.status },
    timestamp: job.finishedAt ?? job.updatedAt,
  };
  return { userId: job.ownerId, notification };
}
