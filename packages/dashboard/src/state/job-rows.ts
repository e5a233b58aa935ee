import type { Job } from '@tidings/client';
import { type JobEvent, isTerminalStatus } from '@tidings/contract';

/**
 * A REST job brought up to date by one of its live events. Hub events carry
 * no stages or start time: those come from the next REST read, which the
 * callers ask for when the status changes.
 */
export function withEvent(job: Job, event: JobEvent): Job {
  if (event.sequence <= job.sequence) return job;
  switch (event.type) {
    case 'JobProgressUpdate': {
      const update = event.payload;
      const finished = isTerminalStatus(update.status);
      return {
        ...job,
        status: update.status,
        progress: update.progress,
        currentStage: update.currentStage,
        statusMessage: update.statusMessage,
        errorMessage: update.errorMessage,
        updatedAt: update.updatedAt,
        estimatedCompletion: update.estimatedCompletion,
        metadata: update.metadata,
        startedAt: job.startedAt ?? (update.status === 'Running' ? update.updatedAt : null),
        finishedAt: finished ? (job.finishedAt ?? update.updatedAt) : null,
        sequence: update.sequence,
      };
    }
    case 'JobCompleted': {
      const completed = event.payload;
      return {
        ...job,
        status: 'Completed',
        progress: 100,
        statusMessage: completed.message,
        errorMessage: null,
        estimatedCompletion: null,
        updatedAt: completed.completedAt,
        finishedAt: completed.completedAt,
        sequence: completed.sequence,
      };
    }
    case 'JobFailed': {
      const failed = event.payload;
      return {
        ...job,
        status: 'Failed',
        errorMessage: failed.error,
        estimatedCompletion: null,
        canRetry: failed.canRetry,
        retryCount: failed.retryCount,
        updatedAt: failed.failedAt,
        finishedAt: failed.failedAt,
        sequence: failed.sequence,
      };
    }
  }
}

/** Whichever of two reads of the same job is newer. */
export function newer(a: Job | undefined, b: Job): Job {
  return a && a.sequence > b.sequence ? a : b;
}
