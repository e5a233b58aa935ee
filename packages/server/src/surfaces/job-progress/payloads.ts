import type { JobCompleted, JobFailed, JobOutput, JobProgressUpdate, Notification } from '@tidings/contract';
import type { Job, JobEvent, JobStatus } from '@tidings/jobs';
import { PIPELINE_STEPS, PIPELINE_TYPE } from '../../videos/video-pipeline.js';

/** The video pipeline and its steps: their JobCompleted stays exactly as YoutubeRag's clients know it (no `result`). */
const VIDEO_TYPES: ReadonlySet<string> = new Set([PIPELINE_TYPE, ...PIPELINE_STEPS.map((s) => s.type)]);

/** Builds `/hubs/job-progress`'s payloads (their types are the wire contract's) from jobs, each with the job's `sequence`. */

export function jobProgressUpdate(job: Job): JobProgressUpdate {
  return {
    jobId: job.id,
    videoId: job.subject,
    jobType: job.type,
    status: job.status,
    progress: job.progress,
    currentStage: job.currentStage,
    statusMessage: job.statusMessage,
    errorMessage: job.error,
    updatedAt: job.updatedAt,
    metadata: job.metadata,
    sequence: job.lastSequence,
    estimatedCompletion: job.estimatedCompletion,
    parentJobId: job.parentId,
  };
}

export function jobCompleted(job: Job): JobCompleted {
  return {
    jobId: job.id,
    videoId: job.subject,
    status: 'Completed',
    message: job.statusMessage ?? 'Job completed successfully',
    completedAt: job.finishedAt ?? job.updatedAt,
    sequence: job.lastSequence,
    ...(VIDEO_TYPES.has(job.type) ? {} : { result: job.result }),
  };
}

/** An `output` or `outputTruncated` event as `JobOutput`; undefined for any other event. */
export function jobOutput(event: JobEvent): JobOutput | undefined {
  if (!event.output || (event.kind !== 'output' && event.kind !== 'outputTruncated')) return undefined;
  return {
    jobId: event.jobId,
    sequence: event.sequence,
    stream: event.output.stream,
    data: event.output.data,
    timestamp: event.at,
    ...(event.kind === 'outputTruncated' ? { truncated: true as const, dropped: event.job.outputStats.dropped } : {}),
  };
}

export function jobFailed(job: Job): JobFailed {
  return {
    jobId: job.id,
    videoId: job.subject,
    error: job.error ?? 'Unknown error',
    message: 'Job failed',
    failedAt: job.finishedAt ?? job.updatedAt,
    canRetry: job.canRetry,
    retryCount: job.retryCount,
    sequence: job.lastSequence,
  };
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
