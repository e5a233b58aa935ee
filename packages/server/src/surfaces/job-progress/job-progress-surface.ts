import { JOB_PROGRESS_HUB_PATH, type JobProgressHubEvents, type Notification, jobProgressGroups as groups } from '@tidings/contract';
import type { HubEndpoint, HubOptions, HubServer } from '@tidings/hub';
import type { JobActivity } from '../../events/job-event-router.js';
import { JobProgressHub, type JobProgressHubDeps } from './job-progress-hub.js';
import { jobCompleted, jobFailed, jobOutput, jobProgressUpdate, ownerNotification } from './payloads.js';

export type JobProgressSurfaceDeps = JobProgressHubDeps;

/**
 * The core surface: the `/hubs/job-progress` hub and its events. A job's
 * events go to `job-{id}`, its owner's `user-{userId}` and, for each of its
 * tags, the tag's group of its owner (once per connection in all of them; in
 * open mode also the tag's group of every owner); a video pipeline's go to
 * `video-{id}` too.
 */
export class JobProgressSurface {
  private endpoint: HubEndpoint<JobProgressHubEvents> | undefined;

  constructor(private readonly deps: JobProgressSurfaceDeps) {}

  mount(hubs: HubServer, options: HubOptions): HubEndpoint<JobProgressHubEvents> {
    this.endpoint = hubs.mapHub<JobProgressHubEvents>(JOB_PROGRESS_HUB_PATH, JobProgressHub, {
      ...options,
      activator: () => new JobProgressHub(this.deps),
    });
    return this.endpoint;
  }

  private get context() {
    if (!this.endpoint) throw new Error('The job-progress hub is not mounted.');
    return this.endpoint.context;
  }

  // ---- events -> hub messages --------------------------------------------------

  async publish(activity: JobActivity): Promise<void> {
    const { event } = activity;
    const job = event.job;
    const targets = [groups.job(job.id)];
    if (job.ownerId) targets.push(groups.user(job.ownerId));
    for (const tag of job.tags) {
      targets.push(groups.tag(job.ownerId, tag));
      if (!this.deps.access.enforced) targets.push(groups.anyOwnerTag(tag));
    }
    // Local: in scaled mode every API node delivers this job event to its own
    // connections; through the backplane each would get it once per node.
    const here = this.context.local.clients;
    const audience = here.groups(targets);
    const output = jobOutput(event);
    if (output) {
      await audience.send('JobOutput', output);
      return; // output changes neither the job's progress nor its video's
    }
    if (event.kind === 'completed') await audience.send('JobCompleted', jobCompleted(job));
    else if (event.kind === 'failed') await audience.send('JobFailed', jobFailed(job));
    else await audience.send('JobProgressUpdate', jobProgressUpdate(job));

    const video = await activity.video();
    if (video) await here.group(groups.video(video.videoId)).send('VideoProgressUpdate', video);

    const notice = ownerNotification(job);
    if (notice) await here.group(groups.user(notice.userId)).send('UserNotification', notice.notification);
  }

  /**
   * A system-wide notice to every connection of this node (the shutdown notice:
   * in scaled mode the other nodes are not shutting down).
   */
  async broadcastHere(type: string, message: string): Promise<void> {
    const notification: Notification = { type, message, data: {}, timestamp: new Date().toISOString() };
    // Local: only this node is going away; the other nodes' clients stay connected.
    await this.context.local.clients.all.send('BroadcastNotification', notification);
  }
}
