import type { Job } from '@tidings/jobs';
import type { ReliableMessenger } from '../reliability/reliable-messenger.js';
import type { ConduitHubTarget } from '../conduit-hub-targets.js';
import { type ConduitTaskKind, GroupPatterns, TASK_TYPES, keyOfOwner } from '../conduit-constants.js';
import { webhookUrlOf } from '../task-payloads.js';
import { type Logger } from '@tidings/server';

/** Deliveries to a URL with this in it fail (demo only). */
export const DEMO_WEBHOOK_FAILURE_MARKER = 'fail';
const DEMO_ATTEMPTS_BEFORE_GIVING_UP = 3;

/**
 * DEMO: webhook deliveries, simulated. When a task that named a `webhookUrl`
 * ends, no request is made; the delivery "succeeds" with 200 unless the URL
 * contains "fail", in which case it "fails" after 3 attempts. What the demo
 * shows for real is the notifications: `WebhookDelivered` / `WebhookFailed`
 * to the key's connections on `/hubs/webhooks` (`vkey-{id}`) and to those
 * watching that URL (`SubscribeToWebhooks`).
 */
export class DemoWebhookDeliveries {
  readonly metrics = { delivered: 0, failed: 0 };

  constructor(
    private readonly deps: {
      readonly messenger: ReliableMessenger;
      readonly hub: () => ConduitHubTarget;
      readonly logger: Logger;
    },
  ) {}

  async taskEnded(job: Job, kind: ConduitTaskKind): Promise<void> {
    const webhookUrl = webhookUrlOf(job);
    const virtualKeyId = keyOfOwner(job.ownerId);
    if (!webhookUrl || !virtualKeyId) return;
    const groups = [GroupPatterns.virtualKey(virtualKeyId), GroupPatterns.webhook(virtualKeyId, webhookUrl)];
    const common = { webhookUrl, taskId: job.id, taskType: TASK_TYPES[kind].taskType, taskStatus: job.status, virtualKeyId, simulated: true };
    const options = { correlationId: job.id };
    // Local: a task's end is a job event every API node delivers to its own connections.
    const hub = this.deps.hub().local;
    if (webhookUrl.toLowerCase().includes(DEMO_WEBHOOK_FAILURE_MARKER)) {
      await this.deps.messenger.sendCritical(hub, groups, 'WebhookFailed', {
        ...common,
        statusCode: 503,
        error: 'The endpoint answered 503 Service Unavailable (simulated).',
        attemptCount: DEMO_ATTEMPTS_BEFORE_GIVING_UP,
        willRetry: false,
      }, options);
      this.metrics.failed++;
    } else {
      await this.deps.messenger.sendCritical(hub, groups, 'WebhookDelivered', { ...common, statusCode: 200, attemptCount: 1 }, options);
      this.metrics.delivered++;
    }
  }
}
