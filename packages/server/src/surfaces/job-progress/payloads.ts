import type { Job, JobStatus, JsonObject } from '@tidings/jobs';
import { PIPELINE_TYPE } from '../../videos/video-pipeline.js';

/** Seed 001 §4 payloads (camelCase), each with the job's `sequence`. */

export interface JobProgressUpdate {
  readonly jobId: string;
  readonly videoId: string | null;
  readonly jobType: string;
  readonly status: JobStatus;
  readonly progress: number;
  readonly currentStage: string | null;
  readonly statusMessage: string | null;
  readonly errorMessage: string | null;
  readonly updatedAt: string;
  readonly metadata: JsonObject;
  readonly sequence: number;
  /** Projected from the observed rate; null when unknown. */
  readonly estimatedCompletion: string | null;
  /** The pipeline job this one is a step of. */
  readonly parentJobId: string | null;
}

export interface JobCompleted {
  readonly jobId: string;
  readonly videoId: string | null;
  readonly status: 'Completed';
  readonly message: string;
  readonly completedAt: string;
  readonly sequence: number;
}

export interface JobFailed {
  readonly jobId: string;
  readonly videoId: string | null;
  readonly error: string;
  readonly message: string;
  readonly failedAt: string;
  readonly canRetry: boolean;
  readonly retryCount: number;
  readonly sequence: number;
}

export interface Notification {
  readonly type: string;
  readonly message: string;
  readonly data: JsonObject;
  readonly timestamp: string;
}

export type ErrorCode = 'NOT_FOUND' | 'UNAUTHORIZED' | 'VALIDATION_ERROR' | 'INTERNAL_ERROR';

export interface HubError {
  readonly code: ErrorCode;
  readonly message: string;
}

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
