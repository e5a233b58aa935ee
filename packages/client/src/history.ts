import { type JobEvent, type JobProgressUpdate, jobEvent } from '@tidings/contract';
import type { Job, JobHistoryEvent } from './rest-types.js';

/**
 * A stored event as the hub sent it live. The service builds both from the
 * same job state, so a missed event fetched here is indistinguishable from
 * the one the connection would have delivered.
 */
export function eventFromHistory(stored: JobHistoryEvent): JobEvent {
  const job = stored.job;
  if (stored.kind === 'completed') {
    return jobEvent('JobCompleted', {
      jobId: job.jobId,
      videoId: job.videoId,
      status: 'Completed',
      message: job.statusMessage ?? 'Job completed successfully',
      completedAt: job.finishedAt ?? job.updatedAt,
      sequence: stored.sequence,
    });
  }
  if (stored.kind === 'failed') {
    return jobEvent('JobFailed', {
      jobId: job.jobId,
      videoId: job.videoId,
      error: job.errorMessage ?? 'Unknown error',
      message: 'Job failed',
      failedAt: job.finishedAt ?? job.updatedAt,
      canRetry: job.canRetry,
      retryCount: job.retryCount,
      sequence: stored.sequence,
    });
  }
  return jobEvent('JobProgressUpdate', jobProgressUpdateOf(job, stored.sequence));
}

/** A REST job as the hub's `JobProgressUpdate` (sequence: its last event's, unless given). */
export function jobProgressUpdateOf(job: Job, sequence: number = job.sequence): JobProgressUpdate {
  return {
    jobId: job.jobId,
    videoId: job.videoId,
    jobType: job.jobType,
    status: job.status,
    progress: job.progress,
    currentStage: job.currentStage,
    statusMessage: job.statusMessage,
    errorMessage: job.errorMessage,
    updatedAt: job.updatedAt,
    metadata: job.metadata,
    sequence,
    estimatedCompletion: job.estimatedCompletion,
    parentJobId: job.parentJobId,
  };
}
