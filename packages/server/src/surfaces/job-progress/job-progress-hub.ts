import {
  type ErrorCode,
  JOB_PROGRESS_METHODS as METHODS,
  type JobProgressHubEvents,
  type JobProgressUpdate,
  type VideoProgressUpdate,
  jobProgressGroups as groups,
} from '@tidings/contract';
import { Hub, HubException, hubMethod } from '@tidings/hub';
import { type Job, type JobEngine, MAX_TAG_LENGTH } from '@tidings/jobs';

/** At most this many jobs' states answer SubscribeToTag. */
const TAG_SNAPSHOT_LIMIT = 100;
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

  /**
   * Every job with `tag` the caller may read, new ones included: a user's own
   * jobs (the tag's group of that owner), a tag follow token's scope, or in
   * open mode every owner's. Answers the current state of up to 100 of those
   * jobs, newest first, read after joining: events that follow may repeat
   * what a state already shows (drop what is not above its `sequence`).
   */
  @hubMethod(METHODS.subscribeToTag)
  async subscribeToTag(rawTag: unknown): Promise<JobProgressUpdate[]> {
    const tag = await this.#requireTag(rawTag);
    return this.#guard('SubscribeToTag', async () => {
      const scope = this.#tagScope(tag);
      if (!scope) {
        await this.#sendError('UNAUTHORIZED', `You don't have access to the jobs tagged '${tag}'.`);
        throw new HubException(`You don't have access to the jobs tagged '${tag}'.`);
      }
      await this.groups.addToGroup(this.context.connectionId, scope.group);
      const jobs = await this.deps.engine.list({ tag, ...(scope.ownerId !== undefined ? { ownerId: scope.ownerId ?? undefined } : {}), limit: TAG_SNAPSHOT_LIMIT });
      return jobs.filter((job) => this.deps.access.canAccess(this.#identity(), job)).map(jobProgressUpdate);
    });
  }

  @hubMethod(METHODS.unsubscribeFromTag)
  async unsubscribeFromTag(rawTag: unknown): Promise<void> {
    const tag = await this.#requireTag(rawTag);
    const scope = this.#tagScope(tag);
    if (scope) await this.groups.removeFromGroup(this.context.connectionId, scope.group);
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

  /**
   * The group the caller follows `tag` in, and whose jobs it lists (`ownerId`
   * undefined: every owner's); undefined when the caller may not follow it.
   */
  #tagScope(tag: string): { readonly group: string; readonly ownerId?: string | null } | undefined {
    const identity = this.#identity();
    const follow = identity.follow;
    if (follow) {
      if (follow.kind !== 'tag' || follow.tag !== tag) return undefined;
      if (follow.ownerId === null && !this.deps.access.enforced) return { group: groups.anyOwnerTag(tag) };
      return { group: groups.tag(follow.ownerId, tag), ownerId: follow.ownerId };
    }
    if (!this.deps.access.enforced) return { group: groups.anyOwnerTag(tag) };
    if (identity.userId === undefined) return undefined;
    return { group: groups.tag(identity.userId, tag), ownerId: identity.userId };
  }

  async #requireTag(value: unknown): Promise<string> {
    if (typeof value === 'string' && value.length > 0 && value.length <= MAX_TAG_LENGTH) return value;
    const problem = `tag must be a string of 1–${MAX_TAG_LENGTH} characters.`;
    await this.#sendError('VALIDATION_ERROR', problem);
    throw new HubException(problem);
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
