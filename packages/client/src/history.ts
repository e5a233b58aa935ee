import { type JobEvent, type JobFeedEvent, type JobProgressUpdate, jobEvent, jobOutputEvent } from '@tidings/contract';
import type { Job, JobHistoryEvent } from './rest-types.js';

/**
 * A stored event as the hub sent it live. The service builds both from the
 * same job state, so a missed event fetched here is indistinguishable from
 * the one the connection would have delivered.
 */
export function feedEventFromHistory(stored: JobHistoryEvent): JobFeedEvent {
  const job = stored.job;
  if ((stored.kind === 'output' || stored.kind === 'outputTruncated') && stored.output) {
    return jobOutputEvent({
      jobId: job.jobId,
      sequence: stored.sequence,
      stream: stored.output.stream,
      data: stored.output.data,
      timestamp: stored.at,
      ...(stored.kind === 'outputTruncated' ? { truncated: true as const, dropped: job.outputStats?.dropped ?? 0 } : {}),
    });
  }
  return eventFromHistory(stored);
}

/**
 * As `feedEventFromHistory`, for the job's events only: an output event comes
 * back as the job's state at it (a `JobProgressUpdate`), as clients before
 * `JobOutput` read it.
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
      ...(job.jobType === 'VideoProcessing' || job.videoId !== null ? {} : { result: job.result }),
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
