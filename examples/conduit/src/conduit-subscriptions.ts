import { HubException } from '@tidings/hub';
import type { Job, JobEngine } from '@tidings/jobs';
import type { AcknowledgingHub } from './reliability/acknowledging-hub.js';
import type { ConnectionRegistry } from './reliability/connection-registry.js';
import type { ReliableMessenger } from './reliability/reliable-messenger.js';
import type { ConduitHubTargets } from './conduit-hub-targets.js';
import { type ConduitTaskKind, GroupPatterns, TASK_TYPES, ownerOfKey, taskKindOfJobType } from './conduit-constants.js';
import type { ConduitHubOperations, SubscriptionKind } from './conduit-hubs.js';
import * as payloads from './task-payloads.js';
import { subscribeWithSnapshot, idProblem } from '@tidings/server';

const WHAT: Record<SubscriptionKind, { readonly denied: string; readonly required: string }> = {
  video: { denied: 'Access denied to video generation request', required: 'Request ID is required' },
  image: { denied: 'Access denied to image generation request', required: 'Request ID is required' },
  task: { denied: 'Access denied to task', required: 'Task ID is required' },
};

const MAX_WEBHOOK_URLS = 50;

/**
 * The Conduit hubs' methods. Subscribing checks that the caller's virtual key
 * owns the request (unknown ids are refused the same way, so ids cannot be
 * probed) and then sends the current state to the caller — the outcome of a
 * finished request (critical, to be acknowledged) or its progress — taken
 * between two of its events, so a subscriber neither misses nor repeats one.
 */
export class ConduitSubscriptions implements ConduitHubOperations {
  constructor(
    private readonly deps: {
      readonly engine: JobEngine;
      readonly registry: ConnectionRegistry;
      readonly messenger: ReliableMessenger;
      readonly targets: () => ConduitHubTargets;
    },
  ) {}

  async subscribe(hub: AcknowledgingHub, kind: SubscriptionKind, rawId: unknown): Promise<void> {
    const keyId = requireKey(hub);
    const id = requireId(rawId, WHAT[kind].required);
    await subscribeWithSnapshot(this.deps.engine, id, {
      authorize: (job) => {
        const taskKind = job ? taskKindOfJobType(job.type) : undefined;
        if (!job || !taskKind || job.ownerId !== ownerOfKey(keyId) || (kind !== 'task' && kind !== taskKind)) throw new HubException(WHAT[kind].denied);
        return { job, taskKind };
      },
      join: async () => {
        // What is batched for the group goes out first: the new member joins after it, and the state below covers it.
        await this.deps.messenger.flush();
        await this.deps.registry.join(hub.groups, hub.context.connectionId, GroupPatterns[kind](id));
      },
      sendSnapshot: ({ job, taskKind }) => this.sendState(hub.context.connectionId, kind, taskKind, job),
    });
  }

  async unsubscribe(hub: AcknowledgingHub, kind: SubscriptionKind, rawId: unknown): Promise<void> {
    const id = requireId(rawId, WHAT[kind].required);
    await this.deps.registry.leave(hub.groups, hub.context.connectionId, GroupPatterns[kind](id));
  }

  async subscribeToTaskType(hub: AcknowledgingHub, taskType: unknown): Promise<void> {
    await this.deps.registry.join(hub.groups, hub.context.connectionId, GroupPatterns.virtualKeyTaskType(requireKey(hub), requireTaskType(taskType)));
  }

  async unsubscribeFromTaskType(hub: AcknowledgingHub, taskType: unknown): Promise<void> {
    await this.deps.registry.leave(hub.groups, hub.context.connectionId, GroupPatterns.virtualKeyTaskType(requireKey(hub), requireTaskType(taskType)));
  }

  async subscribeToWebhooks(hub: AcknowledgingHub, webhookUrls: unknown): Promise<void> {
    const keyId = requireKey(hub);
    for (const url of requireUrls(webhookUrls)) await this.deps.registry.join(hub.groups, hub.context.connectionId, GroupPatterns.webhook(keyId, url));
  }

  async unsubscribeFromWebhooks(hub: AcknowledgingHub, webhookUrls: unknown): Promise<void> {
    const keyId = requireKey(hub);
    for (const url of requireUrls(webhookUrls)) await this.deps.registry.leave(hub.groups, hub.context.connectionId, GroupPatterns.webhook(keyId, url));
  }

  /** Conduit's NavigationStateHub: the state goes to every connection of the key; within a batch window the latest wins. */
  async updateNavigation(hub: AcknowledgingHub, state: unknown): Promise<void> {
    const keyId = requireKey(hub);
    if (typeof state !== 'object' || state === null || Array.isArray(state)) throw new HubException('state must be an object (a NavigationStateDto).');
    this.deps.messenger.queue(this.deps.targets().navigation, [GroupPatterns.virtualKey(keyId)], 'NavigationUpdated', state as Record<string, unknown>, {
      coalesceKey: `navigation-${keyId}`,
    });
  }

  private async sendState(connectionId: string, kind: SubscriptionKind, taskKind: ConduitTaskKind, job: Job): Promise<void> {
    const { messenger } = this.deps;
    const targets = this.deps.targets();
    const hub = kind === 'task' ? targets.tasks : targets[kind];
    const message = kind === 'task' ? payloads.taskMessage(job, taskKind) : payloads.mediaMessage(job, taskKind);
    const options = { correlationId: job.id };
    if (message.critical) await messenger.sendCriticalTo(hub, connectionId, message.method, message.payload, options);
    else await messenger.sendTo(hub, connectionId, message.method, message.payload, options);
  }
}

function requireKey(hub: AcknowledgingHub): string {
  const keyId = hub.context.userIdentifier;
  if (!keyId) throw new HubException('Unauthorized');
  return keyId;
}

function requireId(value: unknown, required: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw new HubException(required);
  const problem = idProblem(value, 'The id');
  if (problem) throw new HubException(problem);
  return value;
}

function requireTaskType(value: unknown): string {
  const known = Object.values(TASK_TYPES).map((t) => t.taskType);
  if (typeof value !== 'string' || !known.includes(value as (typeof known)[number])) {
    throw new HubException(`taskType must be one of ${known.join(', ')}.`);
  }
  return value;
}

function requireUrls(value: unknown): string[] {
  if (!Array.isArray(value) || value.length > MAX_WEBHOOK_URLS || value.some((u) => typeof u !== 'string')) {
    throw new HubException(`webhookUrls must be an array of at most ${MAX_WEBHOOK_URLS} URLs.`);
  }
  for (const url of value as string[]) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(url);
    } catch {
      parsed = undefined;
    }
    if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') || url.length > 2048) throw new HubException(`'${url.slice(0, 100)}' is not an http(s) URL.`);
  }
  return value as string[];
}
