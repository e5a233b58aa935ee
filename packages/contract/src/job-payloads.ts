import type { JobCompleted, JobFailed, JobOutput, JobProgressUpdate, JsonObject } from './payloads.js';
import type { Job, JobHistoryEvent } from './rest-job.js';

/**
 * `/hubs/job-progress`'s payloads from a job as REST shows it. The server
 * builds its live events with these and a client rebuilds a missed event
 * from the stored history with them, so the two cannot differ.
 */

/** The video pipeline and its steps: their `JobCompleted` stays exactly as YoutubeRag's clients know it (no `result`). */
export const VIDEO_JOB_TYPES: ReadonlySet<string> = new Set(['VideoProcessing', 'VideoIngestion', 'Transcription', 'EmbeddingGeneration']);

/** The metadata key under which a service keeps a job's W3C trace context; no hub payload carries it. */
export const TRACEPARENT_KEY = 'traceparent';

/** The job's state as a `JobProgressUpdate` (sequence: its last event's, unless given). */
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
    metadata: withoutTraceContext(job.metadata),
    sequence,
    estimatedCompletion: job.estimatedCompletion,
    parentJobId: job.parentJobId,
  };
}

/** A completed job's `JobCompleted`, with its `result` unless it is one of the video pipeline's. */
export function jobCompletedOf(job: Job, sequence: number = job.sequence): JobCompleted {
  return {
    jobId: job.jobId,
    videoId: job.videoId,
    status: 'Completed',
    message: job.statusMessage ?? 'Job completed successfully',
    completedAt: job.finishedAt ?? job.updatedAt,
    sequence,
    ...(VIDEO_JOB_TYPES.has(job.jobType) ? {} : { result: job.result }),
  };
}

export function jobFailedOf(job: Job, sequence: number = job.sequence): JobFailed {
  return {
    jobId: job.jobId,
    videoId: job.videoId,
    error: job.errorMessage ?? 'Unknown error',
    message: 'Job failed',
    failedAt: job.finishedAt ?? job.updatedAt,
    canRetry: job.canRetry,
    retryCount: job.retryCount,
    sequence,
  };
}

/**
 * An `output` or `outputTruncated` event of the job as `JobOutput` (`dropped`:
 * the output items dropped so far, told on the truncation marker); undefined
 * for any other event.
 */
export function jobOutputOf(jobId: string, event: Pick<JobHistoryEvent, 'sequence' | 'kind' | 'at' | 'output'>, dropped: number): JobOutput | undefined {
  if (!event.output || (event.kind !== 'output' && event.kind !== 'outputTruncated')) return undefined;
  return {
    jobId,
    sequence: event.sequence,
    stream: event.output.stream,
    data: event.output.data,
    timestamp: event.at,
    ...(event.kind === 'outputTruncated' ? { truncated: true as const, dropped } : {}),
  };
}

/** Copies the metadata only when it holds the trace context. */
function withoutTraceContext(metadata: JsonObject): JsonObject {
  if (!(TRACEPARENT_KEY in metadata)) return metadata;
  const { [TRACEPARENT_KEY]: _traceparent, ...rest } = metadata;
  return rest;
}
