import type { FlowStep, JobHistoryKind } from '@tidings/contract';

/** A JSON value: what job input, results, metadata and checkpoints may hold. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export const JOB_STATUSES = ['Pending', 'Running', 'Completed', 'Failed', 'Cancelled'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export const TERMINAL_STATUSES: ReadonlySet<JobStatus> = new Set(['Completed', 'Failed', 'Cancelled']);

export function isTerminal(status: JobStatus): boolean {
  return TERMINAL_STATUSES.has(status);
}

export type StageStatus = 'Pending' | 'Running' | 'Completed' | 'Failed' | 'Cancelled';

export interface JobStage {
  name: string;
  status: StageStatus;
  /** 0–100 within the stage. */
  progress: number;
  startedAt: string | null;
  completedAt: string | null;
  errorMessage: string | null;
}

/** One step of a flow (a parent job whose children run one after another): the wire contract's, as REST shows it. */
export type { FlowStep };

/**
 * A job and everything known about it. Timestamps are ISO-8601 strings so a
 * job is plain JSON (stored, sent and replayed as is).
 */
export interface Job {
  id: string;
  type: string;
  /** The user the job belongs to (its creator). */
  ownerId: string | null;
  /** Higher runs first. */
  priority: number;
  status: JobStatus;
  /** 0–100. */
  progress: number;
  currentStage: string | null;
  statusMessage: string | null;
  /** Why the job failed (or the last attempt failed, while retrying). */
  error: string | null;
  stages: JobStage[];
  /** Retries so far, automatic and requested. */
  retryCount: number;
  /** Automatic retries allowed after a failed attempt. */
  maxRetries: number;
  /** Attempt number within the current run (1-based; 0 before the first start). */
  attempt: number;
  /** Whether `retry` would accept the job now. */
  canRetry: boolean;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  updatedAt: string;
  /** Projected from the progress rate observed during the current attempt. */
  estimatedCompletion: string | null;
  metadata: JsonObject;
  input: JsonValue;
  /** What the processor returned. */
  result: JsonValue;
  /** What the processor saved to resume from after an interruption. */
  checkpoint: JsonValue;
  /** What the job is about (a video id, say); jobs can be listed by it. */
  subject: string | null;
  /** Labels given at creation (at most 10, each 1–128 characters); jobs can be listed by any of them. */
  tags: string[];
  /** The caller's key for this submission: the same key from the same owner returns this job instead of a new one. */
  idempotencyKey: string | null;
  /** How much output the job has written, and what its bound cut off. */
  outputStats: JobOutputStats;
  parentId: string | null;
  /** A job of a flow waits for this one to complete before it is queued. */
  dependsOn: string | null;
  /** Set on flow parents: the children, in order. */
  steps: FlowStep[] | null;
  /** Not to be run before this time (a retry waiting out its backoff). */
  notBefore: string | null;
  /** The sequence of the job's last stored event (0 before any). */
  lastSequence: number;
}

/** What a job's output has used of its bound (see `ProcessorContext.output`). */
export interface JobOutputStats {
  /** Output items stored (the truncation marker not counted). */
  items: number;
  /** Their size, as JSON in UTF-8. */
  bytes: number;
  /** Set once the bound was reached: a marker event was stored, later output is dropped. */
  truncated: boolean;
  /** Output items dropped after the bound. */
  dropped: number;
}

/** One piece of a job's output: a log line, a partial result, a text token. */
export interface JobOutputItem {
  /** Which output it belongs to ('log' unless the processor names another: 'tokens', 'rows', …). */
  readonly stream: string;
  readonly data: JsonValue;
}

/** What happened to a job in one of its events: the kinds `GET /api/v1/jobs/:id/events` shows (the wire contract's `JobHistoryKind`). */
export type JobEventKind = JobHistoryKind;

export const TERMINAL_EVENT_KINDS: ReadonlySet<JobEventKind> = new Set(['completed', 'failed', 'cancelled']);

/**
 * Something that happened to a job, with the job's state right after it.
 * `sequence` increases by one per job, from 1, in the order events are stored
 * and delivered.
 */
export interface JobEvent {
  readonly jobId: string;
  readonly sequence: number;
  readonly kind: JobEventKind;
  readonly at: string;
  readonly job: Job;
  /**
   * On `output` events: the item written. On the one `outputTruncated` event:
   * a notice saying where the output was cut (stream 'tidings').
   */
  readonly output?: JobOutputItem;
}

export interface JobFilter {
  readonly ownerId?: string;
  readonly status?: readonly JobStatus[];
  readonly type?: string;
  /** Jobs carrying this tag. */
  readonly tag?: string;
  readonly subject?: string;
  /** `null` for top-level jobs only. */
  readonly parentId?: string | null;
  readonly limit?: number;
  readonly offset?: number;
}

/** Named priorities (higher runs first); any integer works. */
export const JobPriority = { Low: 0, Normal: 1, High: 2, Critical: 3 } as const;

export function emptyOutputStats(): JobOutputStats {
  return { items: 0, bytes: 0, truncated: false, dropped: 0 };
}

/**
 * The job's state as of now, for an event or a store write, without a deep
 * copy: what the engine changes in place (the stages, the output counts) is
 * copied; `input`, `checkpoint`, `result`, `metadata`, `tags` and `steps` are
 * shared, because the engine only ever replaces them (a checkpoint or a
 * metadata patch is a new value). A deep copy per progress event cost time
 * in proportion to the job's input and checkpoint.
 */
export function jobSnapshot(job: Job): Job {
  const stages = job.stages.map((stage) => ({ ...stage }));
  return { ...job, stages, outputStats: { ...job.outputStats } };
}

/** A stored job with the fields later versions added filled in (jobs stored before them lack them). */
export function withCurrentFields(job: Job): Job {
  job.tags ??= [];
  job.idempotencyKey ??= null;
  job.outputStats ??= emptyOutputStats();
  return job;
}
