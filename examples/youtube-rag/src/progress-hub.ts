import { Hub, hubMethod } from '@tidings/hub';
import { type Job, type JobEngine, JobStateError } from '@tidings/jobs';
import { type Logger, guardHubMethod, requireValidId, subscribeWithSnapshot } from '@tidings/server';
import { type ErrorCode, type JobStatusDto, jobStatusDto } from './payloads.js';
import { type YoutubeRagProgressClient, youtubeRagGroups as groups } from './youtube-rag-client.js';

const ACTIVE = ['Pending', 'Running'] as const;

/** What the hub works with: the same for every invocation. */
export interface ProgressHubDeps {
  readonly engine: JobEngine;
  readonly logger: Logger;
  /** Job types YoutubeRag shows. */
  readonly ownsJobType: (type: string) => boolean;
  /** Joins a new connection to its user's group (shared with YoutubeRag's side of `/hubs/notifications`). */
  readonly connected: (hub: Hub) => Promise<void>;
}

/**
 * YoutubeRag's `JobProgressHub` at `/hubs/progress` ([Authorize]; the user is
 * the one the service's claim rule names). Only the methods declared with
 * `@hubMethod` are callable, by YoutubeRag's camelCase `[HubMethodName]`s
 * (matched case-insensitively, like every tidings hub).
 */
export class ProgressHub extends Hub<YoutubeRagProgressClient> {
  constructor(private readonly deps: ProgressHubDeps) {
    super();
  }

  override async onConnected(): Promise<void> {
    await this.deps.connected(this);
  }

  @hubMethod('subscribeToJob')
  async subscribeToJob(rawId: unknown): Promise<void> {
    const jobId = await this.#requireId(rawId);
    await this.#guard('subscribeToJob', () =>
      subscribeWithSnapshot(this.deps.engine, jobId, {
        authorize: (job) => this.#owned(job),
        join: () => this.groups.addToGroup(this.context.connectionId, groups.job(jobId)),
        sendSnapshot: (owned) => this.clients.caller.send('onJobStatusUpdate', jobStatusDto(owned)),
      }),
    );
  }

  @hubMethod('unsubscribeFromJob')
  async unsubscribeFromJob(rawId: unknown): Promise<void> {
    const jobId = await this.#requireId(rawId);
    await this.groups.removeFromGroup(this.context.connectionId, groups.job(jobId));
  }

  @hubMethod('getActiveJobs')
  async getActiveJobs(): Promise<JobStatusDto[]> {
    const userId = this.context.user?.id;
    if (!userId) return [];
    const jobs = await this.deps.engine.list({ ownerId: userId, status: ACTIVE, parentId: null, limit: 500 });
    return jobs.filter((j) => this.deps.ownsJobType(j.type)).map(jobStatusDto);
  }

  /** Owner only; the `onJobCancelled` goes out with the job's `cancelled` event, whoever cancelled it. */
  @hubMethod('cancelJob')
  async cancelJob(rawId: unknown): Promise<void> {
    const jobId = await this.#requireId(rawId);
    await this.#guard('cancelJob', async () => {
      const job = await this.#owned(await this.deps.engine.get(jobId));
      if (!job) return;
      try {
        await this.deps.engine.cancel(jobId, `Cancelled by ${this.context.user?.id}`);
      } catch (error) {
        if (!(error instanceof JobStateError)) throw error;
        await this.#sendError('INVALID_STATE', error.message);
      }
    });
  }

  // ---- helpers: #private, so no client can reach them -----------------------------

  /** The job when the caller owns it; otherwise YoutubeRag's UNAUTHORIZED error (unknown jobs too, as in YoutubeRag). */
  async #owned(job: Job | undefined): Promise<Job | undefined> {
    const userId = this.context.user?.id;
    if (job && userId !== undefined && job.ownerId === userId && this.deps.ownsJobType(job.type)) return job;
    await this.#sendError('UNAUTHORIZED', "You don't have access to this job");
    return undefined;
  }

  #requireId(value: unknown): Promise<string> {
    return requireValidId(value, 'jobId', (code, message) => this.#sendError(code, message));
  }

  #guard<T>(method: string, task: () => Promise<T>): Promise<T> {
    return guardHubMethod(this.deps.logger, this.context.connectionId, method, (code, message) => this.#sendError(code, message), task);
  }

  #sendError(code: ErrorCode, message: string): Promise<void> {
    return this.clients.caller.send('onError', { code, message });
  }
}
