import {
  type ErrorCode,
  JOB_PROGRESS_METHODS as METHODS,
  type JobProgressHubEvents,
  type JobProgressUpdate,
  type VideoProgressUpdate,
  jobProgressGroups as groups,
} from '@tidings/contract';
import { Hub, hubMethod } from '@tidings/hub';
import type { Job, JobEngine } from '@tidings/jobs';
import type { AccessPolicy } from '../../auth/access-policy.js';
import { ANONYMOUS, type Identity, identityOf } from '../../auth/identity.js';
import { subscribeWithSnapshot } from '../../events/subscribe-with-snapshot.js';
import type { Logger } from '../../logger.js';
import type { VideoPipeline } from '../../videos/video-pipeline.js';
import { guardHubMethod, requireValidId } from '../shared/hub-method-guard.js';
import { jobProgressUpdate } from './payloads.js';

/** What the hub works with: the same for every invocation. */
export interface JobProgressHubDeps {
  readonly engine: JobEngine;
  readonly videos: VideoPipeline;
  readonly access: AccessPolicy;
  readonly logger: Logger;
}

/**
 * `/hubs/job-progress`. Only the methods declared with `@hubMethod` are
 * callable (by the contract's wire names, matched case-insensitively); the rest are
 * helpers. Connections join `user-{userId}` on connect. Errors go to the
 * caller as an `Error` event (NOT_FOUND, UNAUTHORIZED, VALIDATION_ERROR,
 * INTERNAL_ERROR), and a malformed id or a failure also fails the invocation.
 */
export class JobProgressHub extends Hub<JobProgressHubEvents> {
  constructor(private readonly deps: JobProgressHubDeps) {
    super();
  }

  override async onConnected(): Promise<void> {
    const userId = this.context.userIdentifier;
    if (userId) await this.groups.addToGroup(this.context.connectionId, groups.user(userId));
  }

  @hubMethod(METHODS.subscribeToJob)
  async subscribeToJob(rawId: unknown): Promise<void> {
    const jobId = await this.#requireId(rawId, 'jobId');
    await this.#guard('SubscribeToJob', () =>
      subscribeWithSnapshot(this.deps.engine, jobId, {
        authorize: (job) => this.#authorize(job, `Job '${jobId}'`),
        join: () => this.groups.addToGroup(this.context.connectionId, groups.job(jobId)),
        sendSnapshot: (job) => this.clients.caller.send('JobProgressUpdate', jobProgressUpdate(job)),
      }),
    );
  }

  @hubMethod(METHODS.unsubscribeFromJob)
  async unsubscribeFromJob(rawId: unknown): Promise<void> {
    const jobId = await this.#requireId(rawId, 'jobId');
    await this.groups.removeFromGroup(this.context.connectionId, groups.job(jobId));
  }

  @hubMethod(METHODS.subscribeToVideo)
  async subscribeToVideo(rawId: unknown): Promise<void> {
    const videoId = await this.#requireId(rawId, 'videoId');
    await this.#guard('SubscribeToVideo', async () => {
      const pipeline = await this.deps.videos.pipelineOf(videoId);
      if (!pipeline) {
        await this.#sendError('NOT_FOUND', `Video '${videoId}' was not found.`);
        return;
      }
      await subscribeWithSnapshot(this.deps.engine, pipeline.id, {
        authorize: (current) => this.#authorize(current, `Video '${videoId}'`),
        join: () => this.groups.addToGroup(this.context.connectionId, groups.video(videoId)),
        sendSnapshot: async (current) => this.clients.caller.send('VideoProgressUpdate', await this.deps.videos.progress(current)),
      });
    });
  }

  @hubMethod(METHODS.unsubscribeFromVideo)
  async unsubscribeFromVideo(rawId: unknown): Promise<void> {
    const videoId = await this.#requireId(rawId, 'videoId');
    await this.groups.removeFromGroup(this.context.connectionId, groups.video(videoId));
  }

  @hubMethod(METHODS.getJobProgress)
  async getJobProgress(rawId: unknown): Promise<JobProgressUpdate | null> {
    const jobId = await this.#requireId(rawId, 'jobId');
    return this.#guard('GetJobProgress', async () => {
      const job = await this.#authorize(await this.deps.engine.get(jobId), `Job '${jobId}'`);
      return job ? jobProgressUpdate(job) : null;
    });
  }

  @hubMethod(METHODS.getVideoProgress)
  async getVideoProgress(rawId: unknown): Promise<VideoProgressUpdate | null> {
    const videoId = await this.#requireId(rawId, 'videoId');
    return this.#guard('GetVideoProgress', async () => {
      const pipeline = await this.#authorize(await this.deps.videos.pipelineOf(videoId), `Video '${videoId}'`);
      return pipeline ? this.deps.videos.progress(pipeline) : null;
    });
  }

  // ---- helpers: #private, so no client can reach them whatever the dispatcher allows ----

  #identity(): Identity {
    const user = this.context.user;
    return user ? identityOf(user) : ANONYMOUS;
  }

  /** The job when the caller may see it; otherwise an Error event (NOT_FOUND or UNAUTHORIZED) and undefined. */
  async #authorize(job: Job | undefined, what: string): Promise<Job | undefined> {
    if (!job) {
      await this.#sendError('NOT_FOUND', `${what} was not found.`);
      return undefined;
    }
    if (!this.deps.access.canAccess(this.#identity(), job)) {
      await this.#sendError('UNAUTHORIZED', `You don't have access to ${what.charAt(0).toLowerCase()}${what.slice(1)}.`);
      return undefined;
    }
    return job;
  }

  #requireId(value: unknown, what: string): Promise<string> {
    return requireValidId(value, what, (code, message) => this.#sendError(code, message));
  }

  #guard<T>(method: string, task: () => Promise<T>): Promise<T> {
    return guardHubMethod(this.deps.logger, this.context.connectionId, method, (code, message) => this.#sendError(code, message), task);
  }

  #sendError(code: ErrorCode, message: string): Promise<void> {
    return this.clients.caller.send('Error', { code, message });
  }
}
