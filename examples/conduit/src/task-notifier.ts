import { type JobEvent, isTerminal } from '@tidings/jobs';
import { ProgressDeltaTracker } from './reliability/progress-delta.js';
import type { ReliableMessenger } from './reliability/reliable-messenger.js';
import type { ConduitHubTargets } from './conduit-hub-targets.js';
import { GroupPatterns, TASK_TYPES, keyOfOwner, taskKindOfJobType } from './conduit-constants.js';
import type { DemoWebhookDeliveries } from './demo/webhook-deliveries.js';
import type { SpendNotifier } from './spend-notifier.js';
import * as payloads from './task-payloads.js';
import { type Logger, jsonNumber } from '@tidings/server';

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
    // Local: every API node delivers each job event to its own connections (a
    // cluster-wide send would arrive once per node). The spend it records is sent
    // cluster-wide by the spend window's owner.
    const tasks = this.deps.targets().tasks.local;
    const mediaHub = this.deps.targets()[kind].local;
    const virtualKeyId = keyOfOwner(job.ownerId);
    const taskGroups = [GroupPatterns.task(job.id), ...(virtualKeyId ? [GroupPatterns.virtualKeyTaskType(virtualKeyId, TASK_TYPES[kind].taskType)] : [])];
    const mediaGroups = [GroupPatterns[kind](job.id)];
    const options = { correlationId: job.id };

    if (isTerminal(job.status)) {
      this.deltas.forget(job.id);
      const outcome = payloads.mediaMessage(job, kind);
      await messenger.sendCritical(mediaHub, mediaGroups, outcome.method, outcome.payload, options);
      const taskOutcome = payloads.taskMessage(job, kind);
      await messenger.sendCritical(tasks, taskGroups, taskOutcome.method, taskOutcome.payload, options);
      await this.settle(job, kind, virtualKeyId);
      return;
    }
    if (event.kind === 'started') messenger.queue(tasks, taskGroups, 'TaskStarted', payloads.taskStarted(job, kind), options);
    const progress = payloads.mediaMessage(job, kind);
    messenger.queue(mediaHub, mediaGroups, progress.method, progress.payload, { ...options, coalesceKey: job.id });
    const full = payloads.taskProgress(job, kind);
    messenger.queue(tasks, taskGroups, 'TaskProgress', full, { ...options, coalesceKey: job.id });
    const delta = this.deltas.delta(job.id, { progressPercentage: full.progressPercentage, status: full.status, message: full.message }, full.timestamp);
    if (delta) messenger.queue(tasks, taskGroups, 'TaskProgressDelta', delta, options);
  }

  /** What a task's end sets off besides its messages: the bill, and the webhook. */
  private async settle(job: JobEvent['job'], kind: 'video' | 'image', virtualKeyId: string | undefined): Promise<void> {
    const cost = job.status === 'Completed' ? jsonNumber(job.result, 'cost') : null;
    if (virtualKeyId && cost) await this.deps.spend.recordTask(job.id, virtualKeyId, cost);
    await this.deps.webhooks.taskEnded(job, kind);
  }
}
