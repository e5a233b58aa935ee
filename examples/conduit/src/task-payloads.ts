import { type Job, isTerminal } from '@tidings/jobs';
import { type ConduitTaskKind, TASK_TYPES, keyOfOwner } from './conduit-constants.js';
import { jsonField, jsonString } from '@tidings/server';

/** Conduit's task states (its TaskState enum). */
export type TaskState = 'Pending' | 'Processing' | 'Completed' | 'Failed' | 'Cancelled';

const STATE: Record<Job['status'], TaskState> = { Pending: 'Pending', Running: 'Processing', Completed: 'Completed', Failed: 'Failed', Cancelled: 'Cancelled' };

export function taskState(job: Job): TaskState {
  return STATE[job.status];
}

/** The webhook a task's owner asked to be called when it ends, if any. */
export function webhookUrlOf(job: Job): string | null {
  return jsonString(job.input, 'webhookUrl');
}

// ---- VideoGenerationHub (Conduit) ----------------------------------

export function videoProgress(job: Job) {
  return { requestId: job.id, percentage: Math.round(job.progress), status: taskState(job), message: job.statusMessage, timestamp: job.updatedAt };
}

export function videoCompleted(job: Job) {
  return {
    requestId: job.id,
    status: 'Completed' as const,
    videoUrl: jsonString(job.result, 'videoUrl'),
    duration: jsonField(job.result, 'durationSeconds') ?? null,
    model: jsonString(job.input, 'model'),
    completedAt: job.finishedAt ?? job.updatedAt,
    timestamp: job.finishedAt ?? job.updatedAt,
  };
}

export function videoFailed(job: Job) {
  return {
    requestId: job.id,
    status: taskState(job),
    error: job.error ?? job.statusMessage ?? 'Video generation did not complete.',
    isRetryable: job.canRetry,
    timestamp: job.finishedAt ?? job.updatedAt,
  };
}

// ---- ImageGenerationHub ------------------------------------------------------------

export function imageProgress(job: Job) {
  return { requestId: job.id, progress: Math.round(job.progress), status: taskState(job), message: job.statusMessage, timestamp: job.updatedAt };
}

export function imageCompleted(job: Job) {
  const images = jsonField(job.result, 'images');
  return {
    requestId: job.id,
    status: 'Completed' as const,
    images: Array.isArray(images) ? images : [],
    model: jsonString(job.input, 'model'),
    completedAt: job.finishedAt ?? job.updatedAt,
    timestamp: job.finishedAt ?? job.updatedAt,
  };
}

export const imageFailed = videoFailed;

// ---- TaskHub --------------------------------

export function taskStarted(job: Job, kind: ConduitTaskKind) {
  return {
    taskId: job.id,
    taskType: TASK_TYPES[kind].taskType,
    metadata: { virtualKeyId: keyOfOwner(job.ownerId) ?? null, model: jsonString(job.input, 'model'), prompt: jsonString(job.input, 'prompt') },
    timestamp: job.startedAt ?? job.updatedAt,
  };
}

/** `percentComplete` as Conduit's TaskProgressEvent names it, `progressPercentage` as Conduit's test reads it. */
export function taskProgress(job: Job, kind: ConduitTaskKind) {
  const percent = Math.round(job.progress);
  return {
    taskId: job.id,
    taskType: TASK_TYPES[kind].taskType,
    status: taskState(job),
    percentComplete: percent,
    progressPercentage: percent,
    message: job.statusMessage,
    timestamp: job.updatedAt,
  };
}

export function taskCompleted(job: Job, kind: ConduitTaskKind) {
  return { taskId: job.id, taskType: TASK_TYPES[kind].taskType, status: 'Completed' as const, result: job.result, timestamp: job.finishedAt ?? job.updatedAt };
}

export function taskFailed(job: Job, kind: ConduitTaskKind) {
  return {
    taskId: job.id,
    taskType: TASK_TYPES[kind].taskType,
    status: 'Failed' as const,
    error: job.error ?? 'The task failed.',
    isRetryable: job.canRetry,
    timestamp: job.finishedAt ?? job.updatedAt,
  };
}

export function taskCancelled(job: Job, kind: ConduitTaskKind) {
  return { taskId: job.id, taskType: TASK_TYPES[kind].taskType, status: 'Cancelled' as const, reason: job.statusMessage, timestamp: job.finishedAt ?? job.updatedAt };
}

// ---- the message for a task's state ------------------------------------------

/** A hub message: its event name, its payload, and whether it is critical (re-sent until acknowledged). */
export interface TaskMessage {
  readonly method: string;
  readonly payload: object;
  readonly critical: boolean;
}

/** What `/hubs/video-generation` or `/hubs/image-generation` says of the task as it is: its outcome, or its progress. */
export function mediaMessage(job: Job, kind: ConduitTaskKind): TaskMessage {
  const prefix = kind === 'video' ? 'Video' : 'Image';
  if (job.status === 'Completed') return { method: `${prefix}Completed`, payload: kind === 'video' ? videoCompleted(job) : imageCompleted(job), critical: true };
  if (isTerminal(job.status)) return { method: `${prefix}Failed`, payload: kind === 'video' ? videoFailed(job) : imageFailed(job), critical: true };
  return { method: `${prefix}Progress`, payload: kind === 'video' ? videoProgress(job) : imageProgress(job), critical: false };
}

/** What `/hubs/tasks` says of the task as it is: its outcome, or its progress. */
export function taskMessage(job: Job, kind: ConduitTaskKind): TaskMessage {
  switch (job.status) {
    case 'Completed':
      return { method: 'TaskCompleted', payload: taskCompleted(job, kind), critical: true };
    case 'Failed':
      return { method: 'TaskFailed', payload: taskFailed(job, kind), critical: true };
    case 'Cancelled':
      return { method: 'TaskCancelled', payload: taskCancelled(job, kind), critical: true };
    default:
      return { method: 'TaskProgress', payload: taskProgress(job, kind), critical: false };
  }
}

/** A task as `GET /api/conduit/tasks/:id` shows it. */
export function taskStatus(job: Job, kind: ConduitTaskKind) {
  return {
    taskId: job.id,
    taskType: TASK_TYPES[kind].taskType,
    state: taskState(job),
    progress: Math.round(job.progress),
    message: job.statusMessage,
    error: job.error,
    result: job.result,
    createdAt: job.createdAt,
    updatedAt: job.updatedAt,
    completedAt: job.finishedAt,
  };
}
