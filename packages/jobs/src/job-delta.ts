import type { Job, JobEventKind } from './model.js';

/**
 * Events that can only change what a running attempt reports — progress,
 * stage, status message, metadata, ETA, output counts — and never status,
 * input, result or the other fields a status change sets. A store may keep
 * such an event as a JobDelta (what changed) instead of the whole job:
 * a progress tick then writes a couple of hundred bytes, not the job's input and
 * checkpoint again.
 */
export const DELTA_EVENT_KINDS: ReadonlySet<JobEventKind> = new Set(['progress', 'stage', 'output', 'outputTruncated']);

/** The fields a delta event can change, with their values right after it. */
export type JobDelta = Pick<Job, 'progress' | 'currentStage' | 'statusMessage' | 'stages' | 'updatedAt' | 'estimatedCompletion' | 'outputStats' | 'metadata'>;

export function isDeltaKind(kind: JobEventKind): boolean {
  return DELTA_EVENT_KINDS.has(kind);
}

/** What a delta event stores: the job's reportable fields, not a copy of the job. */
export function jobDelta(job: Job): JobDelta {
  return {
    progress: job.progress,
    currentStage: job.currentStage,
    statusMessage: job.statusMessage,
    stages: job.stages,
    updatedAt: job.updatedAt,
    estimatedCompletion: job.estimatedCompletion,
    outputStats: job.outputStats,
    metadata: job.metadata,
  };
}

/**
 * The job right after a delta event: `base` (its state after an earlier
 * event whose stored form was whole, with nothing but delta events since)
 * with the delta's fields. Deltas hold whole values, not increments, so only
 * the latest one matters.
 */
export function withDelta(base: Job, delta: JobDelta, sequence: number): Job {
  return {
    ...base,
    progress: delta.progress,
    currentStage: delta.currentStage,
    statusMessage: delta.statusMessage,
    stages: delta.stages,
    updatedAt: delta.updatedAt,
    estimatedCompletion: delta.estimatedCompletion,
    outputStats: delta.outputStats,
    metadata: delta.metadata,
    lastSequence: sequence,
  };
}
