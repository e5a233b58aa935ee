import type { JobHistoryEvent, Job as RestJob } from '@tidings/contract';
import type { Job, JobEvent } from '@tidings/jobs';

/** A job as the REST API shows it: the wire contract's `Job` (the names of `/hubs/job-progress`'s payloads). */
export function jobDto(job: Job): RestJob {
  return {
    jobId: job.id,
    jobType: job.type,
    userId: job.ownerId,
    videoId: job.subject,
    parentJobId: job.parentId,
    priority: job.priority,
    status: job.status,
    progress: job.progress,
    currentStage: job.currentStage,
    statusMessage: job.statusMessage,
    errorMessage: job.error,
    stages: job.stages,
    steps: job.steps,
    retryCount: job.retryCount,
    maxRetries: job.maxRetries,
    canRetry: job.canRetry,
    createdAt: job.createdAt,
    startedAt: job.startedAt,
    finishedAt: job.finishedAt,
    updatedAt: job.updatedAt,
    estimatedCompletion: job.estimatedCompletion,
    tags: job.tags,
    outputStats: job.outputStats,
    metadata: job.metadata,
    result: job.result,
    sequence: job.lastSequence,
  };
}

/** A stored event as `GET /api/v1/jobs/:id/events` shows it. */
export function jobEventDto(event: JobEvent): JobHistoryEvent {
  return { sequence: event.sequence, kind: event.kind, at: event.at, ...(event.output ? { output: event.output } : {}), job: jobDto(event.job) };
}
