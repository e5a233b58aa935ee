import { type AccessTokenSource, resolveAccessToken } from './access-token.js';
import type { Job, JobHistoryPage, JsonValue, VideoProgressUpdate } from '@tidings/contract';
import type {
  DevToken,
  FollowToken,
  JobTypeInfo,
  SubmitJobRequest,
  SubmitJobResponse,
  IngestVideoRequest,
  IngestVideoResponse,
  JobListQuery,
  ServiceHealth,
} from './rest-types.js';

/** A REST call the service answered with an error status (`status` 0: it could not be reached). */
export class TidingsApiError extends Error {
  override readonly name = 'TidingsApiError';
  constructor(
    readonly status: number,
    message: string,
    readonly path: string,
  ) {
    super(message);
  }
}

export interface TidingsApiOptions {
  /** The service's origin, `http://localhost:5000`; '' for the page's own origin in a browser. */
  readonly baseUrl: string;
  readonly accessToken?: AccessTokenSource;
  /** Default: the global `fetch` (browsers and Node ≥ 18). */
  readonly fetch?: typeof fetch;
}

/** The service's REST API (`/api/v1`): jobs, their history, cancel, retry, ingest. */
export class TidingsApi {
  readonly baseUrl: string;
  private readonly token: AccessTokenSource | undefined;
  private readonly fetchImpl: typeof fetch;

  constructor(options: TidingsApiOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.token = options.accessToken;
    this.fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  }

  listJobs(query: JobListQuery = {}): Promise<{ jobs: Job[]; limit: number; offset: number }> {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, String(value));
    const search = params.size > 0 ? `?${params}` : '';
    return this.request('GET', `/api/v1/jobs${search}`);
  }

  getJob(jobId: string): Promise<Job> {
    return this.request('GET', `/api/v1/jobs/${encodeURIComponent(jobId)}`);
  }

  /** The job's events with a sequence above `after`, oldest first (at most `limit`, server default 200). */
  getJobEvents(jobId: string, after = 0, limit?: number): Promise<JobHistoryPage> {
    const search = `?after=${after}${limit === undefined ? '' : `&limit=${limit}`}`;
    return this.request('GET', `/api/v1/jobs/${encodeURIComponent(jobId)}/events${search}`);
  }

  /** Submits a job of any registered type: 202 a new job, 200 the one an idempotencyKey already made (both resolve). */
  submitJob<TInput = JsonValue>(request: SubmitJobRequest<TInput>): Promise<SubmitJobResponse> {
    return this.request('POST', '/api/v1/jobs', request);
  }

  /** Every job type the service takes, with its input schema. */
  async listJobTypes(): Promise<JobTypeInfo[]> {
    return (await this.request<{ jobTypes: JobTypeInfo[] }>('GET', '/api/v1/job-types')).jobTypes;
  }

  /** A follow token for one of your jobs. */
  createJobFollowToken(jobId: string): Promise<FollowToken> {
    return this.request('POST', `/api/v1/jobs/${encodeURIComponent(jobId)}/subscribe-token`);
  }

  /** A follow token for every job of yours with `tag`. */
  createTagFollowToken(tag: string): Promise<FollowToken> {
    return this.request('POST', `/api/v1/tags/${encodeURIComponent(tag)}/subscribe-token`);
  }

  cancelJob(jobId: string): Promise<Job> {
    return this.request('POST', `/api/v1/jobs/${encodeURIComponent(jobId)}/cancel`);
  }

  retryJob(jobId: string): Promise<Job> {
    return this.request('POST', `/api/v1/jobs/${encodeURIComponent(jobId)}/retry`);
  }

  ingestVideo(request: IngestVideoRequest): Promise<IngestVideoResponse> {
    return this.request('POST', '/api/v1/videos/ingest', request);
  }

  getVideoProgress(videoId: string): Promise<VideoProgressUpdate> {
    return this.request('GET', `/api/v1/videos/${encodeURIComponent(videoId)}/progress`);
  }

  /** Development mode only (no JWT_SECRET): a token for `userId`. */
  createDevToken(userId: string): Promise<DevToken> {
    return this.request('POST', '/api/v1/auth/dev-token', { userId });
  }

  health(): Promise<ServiceHealth> {
    return this.request('GET', '/health', undefined, { acceptStatus: [503] });
  }

  private async request<T>(method: string, path: string, body?: unknown, options: { acceptStatus?: number[] } = {}): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    const token = await resolveAccessToken(this.token);
    if (token) headers.authorization = `Bearer ${token}`;
    // Fastify rejects an empty body sent as JSON, so a bodiless POST says nothing about its type.
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await this.fetchImpl(`${this.baseUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (error) {
      throw new TidingsApiError(0, `Cannot reach ${this.baseUrl || 'the service'}: ${error instanceof Error ? error.message : String(error)}`, path);
    }
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    if (!response.ok && !options.acceptStatus?.includes(response.status)) {
      const message = (parsed as { message?: unknown } | undefined)?.message;
      throw new TidingsApiError(response.status, typeof message === 'string' ? message : `${method} ${path} failed with HTTP ${response.status}`, path);
    }
    return parsed as T;
  }
}
