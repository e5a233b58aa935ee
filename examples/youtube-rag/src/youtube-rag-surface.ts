import type { Authenticator, Hub, HubEndpoint, HubServer } from '@tidings/hub';
import type { JobEngine } from '@tidings/jobs';
import { type AuthService, type HubTenant, type JobActivity, type Logger, type SharedHub, ownerNotification } from '@tidings/server';
import { jobCancelledMessage, jobCompletedDto, jobFailedDto, jobProgressDto } from './payloads.js';
import { ProgressHub } from './progress-hub.js';
import { YoutubeRagConnectionManager } from './youtube-rag-connection-manager.js';
import { PROGRESS_HUB_PATH, type YoutubeRagProgressClient, youtubeRagGroups as groups } from './youtube-rag-client.js';

export interface YoutubeRagSurfaceDeps {
  readonly engine: JobEngine;
  readonly auth: AuthService;
  readonly logger: Logger;
  /** Job types this surface shows (other plugins' jobs share the engine). */
  readonly ownsJobType: (type: string) => boolean;
}

/**
 * YoutubeRag on the shared engine: `/hubs/progress` and the YoutubeRag side of
 * `/hubs/notifications`. The same jobs as `/hubs/job-progress`, other
 * payloads: a job's events go to `job-{id}`, and a top-level job's also to its
 * owner's `user-{userId}` (the dashboard). Progress arrives already throttled
 * by the engine (1 per second per job; a stage change or a jump of 5 points
 * at once, and the held-back latest state when the second is up), so nothing
 * is throttled twice here.
 */
export class YoutubeRagSurface {
  private endpoint: HubEndpoint<YoutubeRagProgressClient> | undefined;
  private notifications: SharedHub | undefined;
  private connectionManager: YoutubeRagConnectionManager | undefined;

  constructor(private readonly deps: YoutubeRagSurfaceDeps) {}

  mount(hubs: HubServer): HubEndpoint<YoutubeRagProgressClient> {
    this.endpoint = hubs.mapHub<YoutubeRagProgressClient>(PROGRESS_HUB_PATH, ProgressHub, {
      authenticate: this.authenticate,
      requireAuthentication: true,
      activator: () => new ProgressHub({ ...this.deps, connected: (hub) => this.connected(hub) }),
    });
    return this.endpoint;
  }

  /** YoutubeRag's connection manager: `/hubs/progress`'s users and job subscriptions, read from its lifetime manager's presence. */
  get connections(): YoutubeRagConnectionManager {
    if (this.connectionManager) return this.connectionManager;
    if (!this.endpoint) throw new Error('The /hubs/progress hub is not mounted.');
    const { context, lifetimeManager } = this.endpoint;
    if (!lifetimeManager.presence) {
      throw new Error(`The lifetime manager of ${PROGRESS_HUB_PATH} keeps no presence, which YoutubeRag's connection manager reads (the memory manager and the Redis backplane do).`);
    }
    return (this.connectionManager = new YoutubeRagConnectionManager(context.groups, lifetimeManager.presence));
  }

  /** Where user notifications go: the YoutubeRag users of `/hubs/notifications`. */
  useNotifications(notifications: SharedHub): void {
    this.notifications = notifications;
  }

  /**
   * [Authorize] as in YoutubeRag: a token is required in both modes (in open
   * mode, the service's development tokens). The user is the one the
   * service's claim rule names, as on every other surface.
   */
  readonly authenticate: Authenticator = async (request, token) => {
    if (!token) return null;
    const user = await this.deps.auth.hubAuthenticator(request, token);
    return user?.id ? user : null;
  };

  /** YoutubeRag's side of `/hubs/notifications`: any other token must be the service's JWT; its user joins `user-{userId}`. */
  notificationsTenant(): HubTenant {
    return {
      name: 'youtube-rag',
      authenticate: this.authenticate,
      connected: (hub) => this.connected(hub),
    };
  }

  private get context() {
    if (!this.endpoint) throw new Error('The /hubs/progress hub is not mounted.');
    return this.endpoint.context;
  }

  // ---- events -> hub messages --------------------------------------------------

  async publish(activity: JobActivity): Promise<void> {
    const { event } = activity;
    const job = event.job;
    const targets = [groups.job(job.id)];
    // The dashboard (user group) sees the jobs the user started, not each step of a pipeline.
    if (job.ownerId && job.parentId === null) targets.push(groups.user(job.ownerId));
    // Local: in scaled mode every API node delivers this job event to its own
    // connections; through the backplane each would get it once per node.
    const audience = this.context.local.clients.groups(targets);
    switch (event.kind) {
      case 'completed':
        await audience.send('onJobCompleted', jobCompletedDto(job, await activity.steps()));
        break;
      case 'failed':
        await audience.send('onJobFailed', jobFailedDto(job, (await activity.steps()).find((s) => s.status === 'Failed')));
        break;
      case 'cancelled':
        await audience.send('onJobCancelled', jobCancelledMessage(job));
        break;
      default:
        await audience.send('onJobProgress', jobProgressDto(job, event.at));
    }
    const notice = ownerNotification(job);
    // Local, as above: the same event reaches every node.
    if (notice && this.notifications) await this.notifications.local.group(groups.user(notice.userId)).send('onNotification', notice.notification);
  }

  /** `/hubs/progress` and YoutubeRag's side of `/hubs/notifications` alike: the user joins `user-{userId}`. */
  async connected(hub: Hub): Promise<void> {
    const userId = hub.context.user?.id;
    if (userId) await hub.groups.addToGroup(hub.context.connectionId, groups.user(userId));
  }
}
