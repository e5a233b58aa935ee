import type { JobStatus, JsonObject, JsonValue, StageProgress } from './payloads.js';

/** What the REST API (`/api/v1`) shows of a job: the server builds it, clients read it. */

/** One step of a pipeline (a flow): a job of its own. */
export interface FlowStep {
  readonly name: string;
  readonly jobId: string;
  /** Share of the parent's progress, 0–1; the weights of a flow add up to 1. */
  readonly weight: number;
}

/** A job as `GET /api/v1/jobs/:id` shows it (the names of `/hubs/job-progress`'s payloads). */
export interface Job {
  readonly jobId: string;
  readonly jobType: string;
  readonly userId: string | null;
  readonly videoId: string | null;
  readonly parentJobId: string | null;
  readonly priority: number;
  readonly status: JobStatus;
  readonly progress: number;
  readonly currentStage: string | null;
  readonly statusMessage: string | null;
  readonly errorMessage: string | null;
  readonly stages: readonly StageProgress[];
  /** A pipeline's steps (each a job of its own), in order; null for other jobs. */
  readonly steps: readonly FlowStep[] | null;
  readonly retryCount: number;
  readonly maxRetries: number;
  readonly canRetry: boolean;
  readonly createdAt: string;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  readonly updatedAt: string;
  readonly estimatedCompletion: string | null;
  readonly metadata: JsonObject;
  /** Labels given at creation (older services: absent). */
  readonly tags?: readonly string[];
  /** How much output the job wrote and what its bound cut off (older services: absent). */
  readonly outputStats?: { readonly items: number; readonly bytes: number; readonly truncated: boolean; readonly dropped: number };
  readonly result: JsonValue;
  /** The sequence of the job's last event. */
  readonly sequence: number;
}

/** What happened to a job in one of its stored events. */
export type JobHistoryKind =
  | 'created'
  | 'started'
  | 'stage'
  | 'progress'
  | 'retrying'
  | 'interrupted'
  | 'recovered'
  | 'retried'
  | 'completed'
  | 'failed'
  | 'cancelled'
  | 'output'
  | 'outputTruncated';

/** One stored event of `GET /api/v1/jobs/:id/events`: the job as it was right after it. */
export interface JobHistoryEvent {
  readonly sequence: number;
  readonly kind: JobHistoryKind;
  readonly at: string;
  /** On `output` and `outputTruncated` events: the item (or the truncation notice). */
  readonly output?: { readonly stream: string; readonly data: JsonValue };
  readonly job: Job;
}

export interface JobHistoryPage {
  readonly jobId: string;
  /** The job's last sequence when the page was read. */
  readonly lastSequence: number;
  readonly events: readonly JobHistoryEvent[];
}
