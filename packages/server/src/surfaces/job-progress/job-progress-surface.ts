import { type HubEndpoint, type HubOptions, type HubServer } from '@tidings/hub';
import type { Job, JobEngine } from '@tidings/jobs';
import type { AccessPolicy } from '../../auth/access-policy.js';
import { ANONYMOUS, type Identity, identityOf } from '../../auth/identity.js';
import type { JobActivity } from '../../events/job-event-router.js';
import { subscribeWithSnapshot } from '../../events/subscribe-with-snapshot.js';
import type { Logger } from '../../logger.js';
import type { VideoPipeline } from '../../videos/video-pipeline.js';
import { type ErrorCode, JOB_PROGRESS_HUB_PATH, type JobProgressHubEvents, type JobProgressUpdate, type Notification, type VideoProgressUpdate, jobProgressGroups as groups } from '@tidings/contract';
import { JobProgressHub, type JobProgressOperations } from './job-progress-hub.js';
import { jobCompleted, jobFailed, jobProgressUpdate, ownerNotification } from './payloads.js';
import { guardHubMethod, requireValidId } from '../shared/hub-method-guard.js';

export interface JobProgressSurfaceDeps {
  readonly engine: JobEngine;
  readonly videos: VideoPipeline;
  readonly access: AccessPolicy;
  readonly logger: Logger;
}

/**
 * The core surface: the `/hubs/job-progress` hub and its events. A job's
 * events go to `job-{id}` and its owner's `user-{userId}` (once per
 * connection in both), a video pipeline's to `video-{id}`.
 */
export class JobProgressSurface implements JobProgressOperations {
  private endpoint: HubEndpoint<JobProgressHubEvents> | undefined;

  constructor(private readonly deps: JobProgressSurfaceDeps) {}

  mount(hubs: HubServer, options: HubOptions): HubEndpoint<JobProgressHubEvents> {
    this.endpoint = hubs.mapHub<JobProgressHubEvents>(JOB_PROGRESS_HUB_PATH, JobProgressHub, {
      ...options,
      activator: () => new JobProgressHub(this),
    });
    return this.endpoint;
  }

  private get clients() {
    if (!this.endpoint) throw new Error('The job-progress hub is not mounted.');
    return this.endpoint.context.clients;
  }

  // ---- events -> hub messages --------------------------------------------------

  async publish(activity: JobActivity): Promise<void> {
    const { event } = activity;
    const job = event.job;
    const targets = [groups.job(job.id)];
    if (job.ownerId) targets.push(groups.user(job.ownerId));
    const audience = this.clients.groups(targets);
    if (event.kind === 'completed') await audience.send('JobCompleted', jobCompleted(job));
    else if (event.kind === 'failed') await audience.send('JobFailed', jobFailed(job));
    else await audience.send('JobProgressUpdate', jobProgressUpdate(job));

    const video = await activity.video();
    if (video) await this.clients.group(groups.video(video.videoId)).send('VideoProgressUpdate', video);

    const notice = ownerNotification(job);
    if (notice) await this.clients.group(groups.user(notice.userId)).send('UserNotification', notice.notification);
  }

  /** A system-wide notice to every connection. */
  async broadcast(type: string, message: string): Promise<void> {
    const notification: Notification = { type, message, data: {}, timestamp: new Date().toISOString() };
    await this.clients.all.send('BroadcastNotification', notification);
  }

  // ---- hub methods -----------------------------------------------------------------

  async connected(hub: JobProgressHub): Promise<void> {
    const userId = hub.context.userIdentifier;
    if (userId) await hub.groups.addToGroup(hub.context.connectionId, groups.user(userId));
  }

  async subscribeToJob(hub: JobProgressHub, rawId: unknown): Promise<void> {
    const jobId = await this.requireId(hub, rawId, 'jobId');
    await this.guard(hub, 'SubscribeToJob', () =>
      subscribeWithSnapshot(this.deps.engine, jobId, {
        authorize: (job) => this.authorize(hub, job, `Job '${jobId}'`),
        join: () => hub.groups.addToGroup(hub.context.connectionId, groups.job(jobId)),
        sendSnapshot: (job) => hub.clients.caller.send('JobProgressUpdate', jobProgressUpdate(job)),
      }),
    );
  }

  async unsubscribeFromJob(hub: JobProgressHub, rawId: unknown): Promise<void> {
    const jobId = await this.requireId(hub, rawId, 'jobId');
    await hub.groups.removeFromGroup(hub.context.connectionId, groups.job(jobId));
  }

  async subscribeToVideo(hub: JobProgressHub, rawId: unknown): Promise<void> {
    const videoId = await this.requireId(hub, rawId, 'videoId');
    await this.guard(hub, 'SubscribeToVideo', async () => {
      const pipeline = await this.deps.videos.pipelineOf(videoId);
      if (!pipeline) {
        await this.sendError(hub, 'NOT_FOUND', `Video '${videoId}' was not found.`);
        return;
      }
      await subscribeWithSnapshot(this.deps.engine, pipeline.id, {
        authorize: (current) => this.authorize(hub, current, `Video '${videoId}'`),
        join: () => hub.groups.addToGroup(hub.context.connectionId, groups.video(videoId)),
        sendSnapshot: async (current) => hub.clients.caller.send('VideoProgressUpdate', await this.deps.videos.progress(current)),
      });
    });
  }

  async unsubscribeFromVideo(hub: JobProgressHub, rawId: unknown): Promise<void> {
    const videoId = await this.requireId(hub, rawId, 'videoId');
    await hub.groups.removeFromGroup(hub.context.connectionId, groups.video(videoId));
  }

  async getJobProgress(hub: JobProgressHub, rawId: unknown): Promise<JobProgressUpdate | null> {
    const jobId = await this.requireId(hub, rawId, 'jobId');
    return this.guard(hub, 'GetJobProgress', async () => {
      const job = await this.authorize(hub, await this.deps.engine.get(jobId), `Job '${jobId}'`);
      return job ? jobProgressUpdate(job) : null;
    });
  }

  async getVideoProgress(hub: JobProgressHub, rawId: unknown): Promise<VideoProgressUpdate | null> {
    const videoId = await this.requireId(hub, rawId, 'videoId');
    return this.guard(hub, 'GetVideoProgress', async () => {
      const pipeline = await this.authorize(hub, await this.deps.videos.pipelineOf(videoId), `Video '${videoId}'`);
      return pipeline ? this.deps.videos.progress(pipeline) : null;
    });
  }

  // ---- helpers -------------------------------------------------------------------

  private identity(hub: JobProgressHub): Identity {
    const user = hub.context.user;
    return user ? identityOf(user) : ANONYMOUS;
  }

  /** The job when the caller may see it; otherwise an Error event (NOT_FOUND or UNAUTHORIZED) and undefined. */
  private async authorize(hub: JobProgressHub, job: Job | undefined, what: string): Promise<Job | undefined> {
    if (!job) {
      await this.sendError(hub, 'NOT_FOUND', `${what} was not found.`);
      return undefined;
    }
    if (!this.deps.access.canAccess(this.identity(hub), job)) {
      await this.sendError(hub, 'UNAUTHORIZED', `You don't have access to ${what.charAt(0).toLowerCase()}${what.slice(1)}.`);
      return undefined;
    }
    return job;
  }

  private requireId(hub: JobProgressHub, value: unknown, what: string): Promise<string> {
    return requireValidId(value, what, (code, message) => this.sendError(hub, code, message));
  }

  private guard<T>(hub: JobProgressHub, method: string, task: () => Promise<T>): Promise<T> {
    return guardHubMethod(this.deps.logger, hub.context.connectionId, method, (code, message) => this.sendError(hub, code, message), task);
  }

  private sendError(hub: JobProgressHub, code: ErrorCode, message: string): Promise<void> {
    return hub.clients.caller.send('Error', { code, message });
  }
}
