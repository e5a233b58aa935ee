/**
 * What `/hubs/job-progress` sends (camelCase), shared by the server that
 * builds these payloads and the clients that read them. Every job and video
 * event carries the job's `sequence`: per job, from 1, no gaps.
 */

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export type JobStatus = 'Pending' | 'Running' | 'Completed' | 'Failed' | 'Cancelled';

export const TERMINAL_STATUSES: ReadonlySet<JobStatus> = new Set(['Completed', 'Failed', 'Cancelled']);

export function isTerminalStatus(status: JobStatus): boolean {
  return TERMINAL_STATUSES.has(status);
}

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
  /**
   * What the processor returned, for jobs of every type but the video
   * pipeline's (whose payload stays as YoutubeRag's clients know it): a
   * follower gets the outcome with the event instead of asking REST for it.
   */
  readonly result?: JsonValue;
}

/**
 * One output item a job wrote (a log line, a partial result, a text token),
 * in the job's `sequence` order with its other events. The one item where the
 * job's output bound was reached is a marker instead: `truncated: true`, its
 * `data` saying where the output was cut, `dropped` how many items were
 * dropped so far (later ones are dropped silently).
 */
export interface JobOutput {
  readonly jobId: string;
  readonly sequence: number;
  /** Which output it belongs to: 'log' unless the processor named another; the marker's is 'tidings'. */
  readonly stream: string;
  readonly data: JsonValue;
  readonly timestamp: string;
  readonly truncated?: true;
  readonly dropped?: number;
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

export interface StageProgress {
  readonly name: string;
  readonly status: JobStatus;
  readonly progress: number;
  readonly startedAt: string | null;
  readonly completedAt: string | null;
  readonly errorMessage: string | null;
}

export type ProcessingStatus = 'Pending' | 'Processing' | 'Completed' | 'Failed' | 'Cancelled';
export type StepStatus = 'NotStarted' | 'Pending' | 'InProgress' | 'Completed' | 'Failed' | 'Cancelled';
export type EmbeddingStatus = StepStatus | 'Partial';

/** A video's state, from its pipeline job and the pipeline's steps. */
export interface VideoProgressUpdate {
  readonly videoId: string;
  readonly jobId: string;
  readonly processingStatus: ProcessingStatus;
  readonly transcriptionStatus: StepStatus;
  readonly embeddingStatus: EmbeddingStatus;
  readonly overallProgress: number;
  readonly stages: readonly StageProgress[];
  readonly updatedAt: string;
  /** The pipeline job's sequence: a video's updates are ordered by it. */
  readonly sequence: number;
}

/** `UserNotification` and `BroadcastNotification`. */
export interface Notification {
  readonly type: string;
  readonly message: string;
  readonly data: JsonObject;
  readonly timestamp: string;
}

/** The codes the server sends in `Error`. */
export type ErrorCode = 'NOT_FOUND' | 'UNAUTHORIZED' | 'VALIDATION_ERROR' | 'INTERNAL_ERROR';

export interface HubError {
  /** One of ErrorCode; a client keeps unknown codes a newer server may send. */
  readonly code: ErrorCode | (string & {});
  readonly message: string;
}

/**
 * One of a job's events, in the order the job produced them. Cancellation has
 * no message of its own on this hub: it is a `JobProgressUpdate` whose status
 * is `Cancelled`.
 */
export type JobEvent =
  | { readonly type: 'JobProgressUpdate'; readonly jobId: string; readonly sequence: number; readonly payload: JobProgressUpdate }
  | { readonly type: 'JobCompleted'; readonly jobId: string; readonly sequence: number; readonly payload: JobCompleted }
  | { readonly type: 'JobFailed'; readonly jobId: string; readonly sequence: number; readonly payload: JobFailed };

export function jobEvent(type: 'JobProgressUpdate', payload: JobProgressUpdate): JobEvent;
export function jobEvent(type: 'JobCompleted', payload: JobCompleted): JobEvent;
export function jobEvent(type: 'JobFailed', payload: JobFailed): JobEvent;
export function jobEvent(type: JobEvent['type'], payload: JobProgressUpdate | JobCompleted | JobFailed): JobEvent {
  return { type, jobId: payload.jobId, sequence: payload.sequence, payload } as JobEvent;
}

/**
 * Everything a follower of a job gets with the job's `sequence`: its events
 * and the output items it wrote, in one order. (`JobEvent` stays the events
 * that change the job's state.)
 */
export type JobFeedEvent = JobEvent | { readonly type: 'JobOutput'; readonly jobId: string; readonly sequence: number; readonly payload: JobOutput };

export function jobOutputEvent(payload: JobOutput): JobFeedEvent {
  return { type: 'JobOutput', jobId: payload.jobId, sequence: payload.sequence, payload };
}

/** The status a job is in right after `event`. */
export function statusAfter(event: JobEvent): JobStatus {
  if (event.type === 'JobCompleted') return 'Completed';
  if (event.type === 'JobFailed') return 'Failed';
  return event.payload.status;
}
