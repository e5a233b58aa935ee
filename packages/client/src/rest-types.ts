import type { Job, JobStatus, JsonObject, JsonValue } from '@tidings/contract';

/** What the REST API (`/api/v1`) returns and accepts, besides the job itself (`Job`, `JobHistoryPage`: the wire contract's). */

export interface JobListQuery {
  readonly userId?: string;
  readonly ownerId?: string;
  readonly status?: JobStatus;
  readonly jobType?: string;
  readonly type?: string;
  readonly tag?: string;
  readonly videoId?: string;
  /** 1–500, default 50. */
  readonly limit?: number;
  readonly offset?: number;
}

/** `priority`: 0–3 or Low, Normal, High, Critical. */
export interface IngestVideoRequest {
  readonly url: string;
  readonly userId?: string;
  readonly priority?: number | 'Low' | 'Normal' | 'High' | 'Critical';
  readonly title?: string;
}

export interface IngestVideoResponse {
  /** The pipeline job: subscribe to this one. */
  readonly jobId: string;
  readonly videoId: string;
  readonly status: JobStatus;
  readonly message: string;
  readonly url: string;
  readonly userId: string | null;
  readonly priority: number;
  readonly jobs: readonly { readonly jobId: string; readonly jobType: string; readonly stage: string }[];
  readonly hubUrl: string;
  readonly progressUrl: string;
  readonly eventsUrl: string;
  readonly createdAt: string;
}

export interface DevToken {
  readonly token: string;
  readonly tokenType: 'Bearer';
  readonly userId: string;
  readonly expiresAt: string;
}

/** `GET /health` (the fields a client relies on). */
export interface ServiceHealth {
  readonly status: 'ok' | 'stopping';
  /** `open`: development mode without JWT_SECRET; `jwt`: every call needs a token. */
  readonly mode: 'open' | 'jwt';
  readonly uptimeSeconds: number;
}

/** `POST /api/v1/jobs`: a job of any registered type. */
export interface SubmitJobRequest<TInput = JsonValue> {
  readonly type: string;
  readonly input: TInput;
  readonly priority?: number | 'Low' | 'Normal' | 'High' | 'Critical';
  readonly tags?: readonly string[];
  readonly idempotencyKey?: string;
  readonly delayMs?: number;
  /** Also mint a follow token for the job. */
  readonly token?: boolean;
}

/** A short-lived token that follows one job (or a tag's jobs) and reads nothing else. */
export interface FollowToken {
  readonly token: string;
  readonly expiresAt: string;
}

export interface SubmitJobResponse {
  readonly job: Job;
  /** How to follow it on `/hubs/job-progress`; `token` and `expiresAt` when asked for. */
  readonly follow: { readonly hub: string; readonly method: string; readonly args: readonly string[]; readonly token?: string; readonly expiresAt?: string };
}

/** `GET /api/v1/job-types`: a type's name and JSON Schemas. */
export interface JobTypeInfo {
  readonly name: string;
  readonly input: JsonObject;
  readonly metadata?: JsonObject;
  readonly output?: JsonObject;
}
