import type { JobEvent } from '@tidings/jobs';
import type { Logger } from '../../logger.js';
import { ProgressDeltaTracker } from '../../reliability/progress-delta.js';
import type { ReliableMessenger } from '../../reliability/reliable-messenger.js';
import { jsonNumber } from '../shared/json-fields.js';
import type { ConduitHubTargets } from './conduit-hub-targets.js';
import { GroupPatterns, TASK_TYPES, keyOfOwner, taskKindOfJobType } from './conduit-constants.js';
import type { DemoWebhookDeliveries } from './demo/webhook-deliveries.js';
import type { SpendNotifier } from './spend-notifier.js';
import * as payloads from './task-payloads.js';

/**
 * Turns the engine's events of Conduit tasks into the hubs' messages:
 * progress through the batcher (coalesced per task), outcomes as critical
 * messages re-sent until acknowledged. A video task reaches
 * `/hubs/video-generation` (`video-{id}`) and `/hubs/tasks` (`task-{id}` and
 * the key's `vkey-{id}-{taskType}`); an image task likewise. A finished task
 * adds its cost to the key's spend and triggers its (demo) webhook.
 */
export class TaskNotifier {
  private readonly deltas = new ProgressDeltaTracker();

  constructor(
    private readonly deps: {
      readonly messenger: ReliableMessenger;
      readonly targets: () => ConduitHubTargets;
      readonly spend: SpendNotifier;
      readonly webhooks: DemoWebhookDeliveries;
      readonly logger: Logger;
    },
  ) {}

  async publish(event: JobEvent): Promise<void> {
    const job = event.job;
    const kind = taskKindOfJobType(job.type);
    if (!kind || event.kind === 'created') return;
    const { messenger } = this.deps;
    const targets = this.deps.targets();
    const virtualKeyId = keyOfOwner(job.ownerId);
    const taskGroups = [GroupPatterns.task(job.id), ...(virtualKeyId ? [GroupPatterns.virtualKeyTaskType(virtualKeyId, TASK_TYPES[kind].taskType)] : [])];
    const media = kind === 'video' ? { hub: targets.video, groups: [GroupPatterns.video(job.id)] } : { hub: targets.image, groups: [GroupPatterns.image(job.id)] };
    const prefix = kind === 'video' ? 'Video' : 'Image';
    const options = { correlationId: job.id };

    switch (event.kind) {
      case 'completed':
        this.deltas.forget(job.id);
        await messenger.sendCritical(media.hub, media.groups, `${prefix}Completed`, kind === 'video' ? payloads.videoCompleted(job) : payloads.imageCompleted(job), options);
        await messenger.sendCritical(targets.tasks, taskGroups, 'TaskCompleted', payloads.taskCompleted(job, kind), options);
        await this.settle(job, kind, virtualKeyId);
        return;
      case 'failed':
      case 'cancelled':
        this.deltas.forget(job.id);
        await messenger.sendCritical(media.hub, media.groups, `${prefix}Failed`, kind === 'video' ? payloads.videoFailed(job) : payloads.imageFailed(job), options);
        await messenger.sendCritical(
          targets.tasks,
          taskGroups,
          event.kind === 'failed' ? 'TaskFailed' : 'TaskCancelled',
          event.kind === 'failed' ? payloads.taskFailed(job, kind) : payloads.taskCancelled(job, kind),
          options,
        );
        await this.settle(job, kind, virtualKeyId);
        return;
      default: {
        if (event.kind === 'started') messenger.queue(targets.tasks, taskGroups, 'TaskStarted', payloads.taskStarted(job, kind), options);
        const progress = kind === 'video' ? payloads.videoProgress(job) : payloads.imageProgress(job);
        messenger.queue(media.hub, media.groups, `${prefix}Progress`, progress, { ...options, coalesceKey: job.id });
        const full = payloads.taskProgress(job, kind);
        messenger.queue(targets.tasks, taskGroups, 'TaskProgress', full, { ...options, coalesceKey: job.id });
        const delta = this.deltas.delta(job.id, { progressPercentage: full.progressPercentage, status: full.status, message: full.message }, full.timestamp);
        if (delta) messenger.queue(targets.tasks, taskGroups, 'TaskProgressDelta', delta, options);
      }
    }
  }

  /** What a task's end sets off besides its messages: the bill, and the webhook. */
  private async settle(job: JobEvent['job'], kind: 'video' | 'image', virtualKeyId: string | undefined): Promise<void> {
    const cost = job.status === 'Completed' ? jsonNumber(job.result, 'cost') : null;
    if (virtualKeyId && cost) this.deps.spend.record(virtualKeyId, cost);
    await this.deps.webhooks.taskEnded(job, kind);
  }
}
