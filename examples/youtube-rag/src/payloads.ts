import type { Job, JobStatus } from '@tidings/jobs';
import { jsonNumber, jsonString } from '@tidings/server';
import { formatTimeSpan, timeSpanBetween } from './time-span.js';

/**
 * YoutubeRag's DTOs, camelCase as its JSON protocol writes them. Beyond
 * what YoutubeRag sends, each event carries the job's `sequence` (its events are ordered by
 * it, as on `/hubs/job-progress`).
 */

/** Sent on subscribe and returned by getActiveJobs (YoutubeRag uses the type without defining it). */
export interface JobStatusDto {
  readonly jobId: string;
  readonly jobType: string;
  readonly status: JobStatus;
  readonly progress: number;
  readonly currentStage: string | null;
  readonly message: string | null;
  readonly errorMessage: string | null;
  readonly videoId: string | null;
  readonly videoTitle: string | null;
  readonly createdAt: string;
  readonly startedAt: string | null;
  readonly completedAt: string | null;
  readonly estimatedCompletion: string | null;
  readonly retryCount: number;
  readonly canRetry: boolean;
  readonly parentJobId: string | null;
  readonly sequence: number;
  readonly timestamp: string;
}

export interface JobProgressDto {
  readonly jobId: string;
  readonly progress: number;
  readonly currentStage: string | null;
  readonly message: string | null;
  readonly estimatedCompletion: string | null;
  readonly timestamp: string;
  readonly status: JobStatus;
  readonly sequence: number;
}

export interface JobCompletionStatsDto {
  readonly totalSegments: number | null;
  readonly totalEmbeddings: number | null;
  /** TimeSpan, e.g. `00:04:12`. */
  readonly videoDuration: string | null;
  readonly transcriptionTime: string | null;
  readonly embeddingTime: string | null;
  /** Null when the processors do not report it (the simulated ones do not). */
  readonly totalBytesProcessed: number | null;
  /** Stage name → TimeSpan it took. */
  readonly stageTimings: Record<string, string>;
}

export interface JobCompletedDto {
  readonly jobId: string;
  readonly videoId: string | null;
  readonly videoTitle: string | null;
  readonly completedAt: string;
  /** TimeSpan from start to finish. */
  readonly processingTime: string;
  readonly stats: JobCompletionStatsDto;
  readonly message: string;
  readonly sequence: number;
}

export interface JobFailedDto {
  readonly jobId: string;
  readonly failedStage: string | null;
  readonly errorMessage: string;
  readonly errorCode: string;
  readonly failedAt: string;
  readonly canRetry: boolean;
  readonly retryCount: number;
  readonly sequence: number;
}

export interface JobCancelledMessage {
  readonly jobId: string;
  readonly cancelledBy: string | null;
  readonly timestamp: string;
  readonly sequence: number;
}

export type ErrorCode = 'UNAUTHORIZED' | 'VALIDATION_ERROR' | 'INVALID_STATE' | 'INTERNAL_ERROR';

export interface ErrorMessage {
  readonly code: ErrorCode;
  readonly message: string;
}

function numberIn(jobs: readonly Job[], name: string): number | null {
  for (const job of jobs) {
    const value = jsonNumber(job.result, name);
    if (value !== null) return value;
  }
  return null;
}

function titleOf(job: Job, steps: readonly Job[]): string | null {
  const fromMetadata = job.metadata.title;
  if (typeof fromMetadata === 'string') return fromMetadata;
  for (const candidate of [job, ...steps]) {
    const title = jsonString(candidate.result, 'title');
    if (title !== null) return title;
  }
  return null;
}

export function jobStatusDto(job: Job): JobStatusDto {
  return {
    jobId: job.id,
    jobType: job.type,
    status: job.status,
    progress: job.progress,
    currentStage: job.currentStage,
    message: job.statusMessage,
    errorMessage: job.error,
    videoId: job.subject,
    videoTitle: titleOf(job, []),
    createdAt: job.createdAt,
    startedAt: job.startedAt,
    completedAt: job.finishedAt,
    estimatedCompletion: job.estimatedCompletion,
    retryCount: job.retryCount,
    canRetry: job.canRetry,
    parentJobId: job.parentId,
    sequence: job.lastSequence,
    timestamp: job.updatedAt,
  };
}

export function jobProgressDto(job: Job, at: string): JobProgressDto {
  return {
    jobId: job.id,
    progress: job.progress,
    currentStage: job.currentStage,
    message: job.statusMessage,
    estimatedCompletion: job.estimatedCompletion,
    timestamp: at,
    status: job.status,
    sequence: job.lastSequence,
  };
}

/** `steps`: the pipeline's steps when `job` is a pipeline (their results hold the counts), else empty. */
export function jobCompletedDto(job: Job, steps: readonly Job[]): JobCompletedDto {
  const all = [job, ...steps];
  const stepOfType = (type: string) => steps.find((s) => s.type === type);
  const transcription = stepOfType('Transcription') ?? (job.type === 'Transcription' ? job : undefined);
  const embedding = stepOfType('EmbeddingGeneration') ?? (job.type === 'EmbeddingGeneration' ? job : undefined);
  const durationSeconds = numberIn(all, 'durationSeconds');
  const stageTimings: Record<string, string> = {};
  for (const stage of job.stages) {
    const took = timeSpanBetween(stage.startedAt, stage.completedAt);
    if (took) stageTimings[stage.name] = took;
  }
  const completedAt = job.finishedAt ?? job.updatedAt;
  return {
    jobId: job.id,
    videoId: job.subject,
    videoTitle: titleOf(job, steps),
    completedAt,
    processingTime: timeSpanBetween(job.startedAt ?? job.createdAt, completedAt) ?? formatTimeSpan(0),
    stats: {
      totalSegments: numberIn(all, 'segmentCount'),
      totalEmbeddings: numberIn(all, 'embeddingCount'),
      videoDuration: durationSeconds === null ? null : formatTimeSpan(durationSeconds * 1000),
      transcriptionTime: transcription ? timeSpanBetween(transcription.startedAt, transcription.finishedAt) : null,
      embeddingTime: embedding ? timeSpanBetween(embedding.startedAt, embedding.finishedAt) : null,
      totalBytesProcessed: numberIn(all, 'bytesProcessed'),
      stageTimings,
    },
    message: job.statusMessage ?? 'Job completed successfully',
    sequence: job.lastSequence,
  };
}

/** `failedStep`: the step that failed when `job` is a pipeline. */
export function jobFailedDto(job: Job, failedStep: Job | undefined): JobFailedDto {
  const failedStage = job.stages.find((s) => s.status === 'Failed')?.name ?? job.currentStage;
  const type = failedStep?.type ?? job.type;
  return {
    jobId: job.id,
    failedStage,
    errorMessage: job.error ?? 'Unknown error',
    errorCode: `${type.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()}_FAILED`,
    failedAt: job.finishedAt ?? job.updatedAt,
    canRetry: job.canRetry,
    retryCount: job.retryCount,
    sequence: job.lastSequence,
  };
}

const CANCELLED_BY = /Cancelled by (\S.*)$/;

export function jobCancelledMessage(job: Job): JobCancelledMessage {
  return {
    jobId: job.id,
    cancelledBy: CANCELLED_BY.exec(job.statusMessage ?? '')?.[1] ?? null,
    timestamp: job.finishedAt ?? job.updatedAt,
    sequence: job.lastSequence,
  };
}
