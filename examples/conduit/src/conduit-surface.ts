import { mkdirSync } from 'node:fs';
import type { HubClass, HubEndpoint, HubFilter, HubOptions, HubServer } from '@tidings/hub';
import type { Clock, JobEngine } from '@tidings/jobs';
import type { AcknowledgingHub, ReliableHubRuntime } from './reliability/acknowledging-hub.js';
import { AcknowledgementTracker, type RetryPolicy } from './reliability/acknowledgement-tracker.js';
import { ConnectionRegistry } from './reliability/connection-registry.js';
import { FixedWindowRateLimiter } from './reliability/fixed-window-rate-limiter.js';
import { MessageBatcher } from './reliability/message-batcher.js';
import { rateLimitFilter } from './reliability/rate-limit-filter.js';
import { ReliableMessenger } from './reliability/reliable-messenger.js';
import type { NotificationsTenant } from './notifications-hub.js';
import { ConduitAuth, generateMasterKey, schemeOf, writeMasterKeyFile } from './conduit-auth.js';
import { GroupPatterns, HubConstants, TASK_TYPES, ownerOfKey, taskKindOfJobType } from './conduit-constants.js';
import type { ConduitHubTarget, ConduitHubTargets } from './conduit-hub-targets.js';
import {
  AdminNotificationHub,
  type ConduitHubOperations,
  ImageGenerationHub,
  NavigationStateHub,
  SpendNotificationHub,
  TaskHub,
  VideoGenerationHub,
  WebhookDeliveryHub,
} from './conduit-hubs.js';
import { ConduitSubscriptions } from './conduit-subscriptions.js';
import { ProviderHealthFlipper } from './demo/provider-health-flipper.js';
import { DemoWebhookDeliveries } from './demo/webhook-deliveries.js';
import { RequestQuota } from './request-quota.js';
import { SpendNotifier } from './spend-notifier.js';
import { ConduitSystemEvents } from './system-events.js';
import { TaskNotifier } from './task-notifier.js';
import type { ConduitStores } from './stores/conduit-stores.js';
import type { DeadLetters } from './stores/dead-letters.js';
import { VIRTUAL_KEY_PREFIX, type VirtualKeys } from './stores/virtual-keys.js';
import { type FailedAuthThrottle, type JobActivity, type Logger } from '@tidings/server';

/** Tuning of the Conduit surface; the defaults are Conduit's. */
export interface ConduitOptions {
  /** `CONDUIT_MASTER_KEY`; unset: one is generated at start and written to DATA_DIR/conduit-master-key (mode 0600). */
  readonly masterKey?: string;
  /** Time for the batcher, the spend windows, acknowledgements and the rate limit (tests drive a ManualClock). */
  readonly clock?: Clock;
  /** Re-sending of unacknowledged critical messages. */
  readonly retryPolicy?: Partial<RetryPolicy>;
  /** default 100 ms. */
  readonly batchWindowMs?: number;
  /** Conduit: spend is summed per key over this window; default 1000 ms. */
  readonly spendWindowMs?: number;
  /** Hub invocations per IP; default 100 per minute, refused at once past that (no queue: see FixedWindowRateLimiter). */
  readonly rateLimit?: { readonly permitLimit?: number; readonly windowMs?: number };
  /** Requests per minute per key to the REST endpoints that start work; default 60. */
  readonly requestsPerMinute?: number;
  /** DEMO: flip a provider's health this often; 0 turns it off. Default 30 s. */
  readonly healthFlipIntervalMs?: number;
}

export interface ConduitSurfaceDeps {
  readonly engine: JobEngine;
  /** The service's failed-authentication throttle: wrong keys on the hubs count against the client IP too. */
  readonly failures?: FailedAuthThrottle;
  /** Where the master key file goes, when one is generated. */
  readonly dataDir: string;
  /** Keys, spend, dead letters, acknowledgements: `localConduitStores(dataDir)` or, in scaled mode, `redisConduitStores`. */
  readonly stores: ConduitStores;
  readonly logger: Logger;
  readonly options?: ConduitOptions;
}

type ConduitHubClass = new (runtime: ReliableHubRuntime, ops: ConduitHubOperations) => AcknowledgingHub;

/**
 * Conduit's hubs, with Conduit's reliability, on the shared job engine:
 * generation requests are jobs owned by their virtual key. Keys, spend, dead
 * letters and pending acknowledgements live in its stores: `conduit.db` under
 * DATA_DIR and memory, or Redis shared by every node of a scaled service.
 */
export class ConduitSurface {
  readonly masterKey: string;
  readonly masterKeyGenerated: boolean;
  /** Where the generated master key was written; undefined when it was configured. */
  readonly masterKeyFile: string | undefined;
  readonly keys: VirtualKeys;
  readonly deadLetters: DeadLetters;
  readonly auth: ConduitAuth;
  readonly registry = new ConnectionRegistry();
  readonly tracker: AcknowledgementTracker;
  readonly batcher: MessageBatcher;
  readonly messenger: ReliableMessenger;
  readonly limiter: FixedWindowRateLimiter;
  readonly spend: SpendNotifier;
  readonly system: ConduitSystemEvents;
  readonly quota: RequestQuota;
  readonly webhooks: DemoWebhookDeliveries;
  private readonly stores: ConduitStores;
  private lastDeadLetterCount = 0;
  private readonly tasks: TaskNotifier;
  private readonly subscriptions: ConduitSubscriptions;
  private readonly flipper: ProviderHealthFlipper;
  private readonly filters: readonly HubFilter[];
  private hubTargets: ConduitHubTargets | undefined;
  private readonly endpoints = new Map<string, HubEndpoint>();

  constructor(private readonly deps: ConduitSurfaceDeps) {
    const options = deps.options ?? {};
    const { clock } = options;
    const logger = deps.logger;
    this.masterKeyGenerated = !options.masterKey;
    this.masterKey = options.masterKey ?? generateMasterKey();
    mkdirSync(deps.dataDir, { recursive: true });
    this.masterKeyFile = this.masterKeyGenerated ? writeMasterKeyFile(deps.dataDir, this.masterKey) : undefined;
    this.stores = deps.stores;
    this.keys = deps.stores.keys;
    this.deadLetters = deps.stores.deadLetters;
    this.auth = new ConduitAuth(this.keys, this.masterKey, deps.failures);

    const targets = () => this.targets;
    this.tracker = new AcknowledgementTracker({
      clock,
      logger,
      policy: options.retryPolicy,
      deadLetters: this.deadLetters,
      ledger: deps.stores.acknowledgements,
      resend: (hub, connectionId, method, payload) => this.endpointAt(hub).context.clients.client(connectionId).send(method, payload),
      onDeadLettered: (letter) => {
        logger.warn({ messageId: letter.messageId, hub: letter.hub, method: letter.method, reason: letter.reason }, 'message dead-lettered');
        // One node writes each dead letter: its alert goes to the admins on every node (systemAlert sends cluster-wide).
        void this.system.systemAlert('Warning', `${letter.method} ${letter.messageId} was dead-lettered: ${letter.reason}`, `hub:${letter.hub}`).catch(() => undefined);
      },
    });
    this.batcher = new MessageBatcher({ windowMs: options.batchWindowMs, clock, logger });
    this.messenger = new ReliableMessenger({ registry: this.registry, tracker: this.tracker, batcher: this.batcher, clock });
    this.system = new ConduitSystemEvents({ messenger: this.messenger, notifications: () => targets().notifications, admin: () => targets().admin });
    this.limiter = new FixedWindowRateLimiter({ ...options.rateLimit, clock });
    this.filters = [rateLimitFilter(this.limiter, { exempt: ['AcknowledgeMessage', 'NackMessage'] })];
    this.spend = new SpendNotifier({ keys: this.keys, ledger: deps.stores.spend, messenger: this.messenger, hub: () => targets().spend, windowMs: options.spendWindowMs, clock, logger });
    this.quota = new RequestQuota(options.requestsPerMinute ?? 60, 60_000, clock);
    this.webhooks = new DemoWebhookDeliveries({ messenger: this.messenger, hub: () => targets().webhooks, logger });
    this.tasks = new TaskNotifier({ messenger: this.messenger, targets, spend: this.spend, webhooks: this.webhooks, logger });
    this.subscriptions = new ConduitSubscriptions({ engine: deps.engine, registry: this.registry, messenger: this.messenger, targets });
    this.flipper = new ProviderHealthFlipper(this.system, options.healthFlipIntervalMs ?? 30_000, logger);
    deps.stores.revocations.listen({
      revoked: (id) => this.closeConnectionsOf(id),
      missed: () => void this.closeRevokedConnections().catch((error: unknown) => logger.warn({ err: error }, 'checking the keys of open connections failed')),
    });
  }

  /** Job types this surface runs and reports. */
  ownsJobType(type: string): boolean {
    return taskKindOfJobType(type) !== undefined;
  }

  /** The hubs, once mapped. */
  get targets(): ConduitHubTargets {
    if (!this.hubTargets) throw new Error('The Conduit hubs are not mounted.');
    return this.hubTargets;
  }

  /**
   * Maps the Conduit hubs. `/hubs/notifications` is shared with other systems
   * (YoutubeRag maps a hub there too): `mountNotifications` maps it with this
   * surface's tenant among the others and returns its endpoint.
   */
  mount(hubs: HubServer, mountNotifications: (tenant: NotificationsTenant, runtime: Omit<ReliableHubRuntime, 'path' | 'connected'>, options: HubOptions) => HubEndpoint): void {
    const virtualKeyHubs: [string, ConduitHubClass][] = [
      [HubConstants.VideoGenerationHub, VideoGenerationHub],
      [HubConstants.ImageGenerationHub, ImageGenerationHub],
      [HubConstants.TaskHub, TaskHub],
      [HubConstants.SpendNotificationHub, SpendNotificationHub],
      [HubConstants.WebhookDeliveryHub, WebhookDeliveryHub],
      [HubConstants.NavigationStateHub, NavigationStateHub],
    ];
    const hubOptions = { filters: this.filters, requireAuthentication: true };
    for (const [path, HubType] of virtualKeyHubs) {
      this.map(hubs, path, HubType, { ...hubOptions, authenticate: this.auth.virtualKeyAuthenticator }, (hub) => this.joinKeyGroup(hub));
    }
    this.map(hubs, HubConstants.AdminNotificationHub, AdminNotificationHub, { ...hubOptions, authenticate: this.auth.masterKeyAuthenticator }, (hub) =>
      this.registry.join(hub.groups, hub.context.connectionId, GroupPatterns.admin),
    );
    const notifications = mountNotifications(this.notificationsTenant(), { registry: this.registry, tracker: this.tracker }, hubOptions);
    this.endpoints.set(notifications.path, notifications);

    const target = (path: string): ConduitHubTarget => {
      const { context } = this.endpointAt(path);
      return { path, reach: 'cluster', clients: context.clients, local: { path, reach: 'node', clients: context.local.clients } };
    };
    this.hubTargets = {
      video: target(HubConstants.VideoGenerationHub),
      image: target(HubConstants.ImageGenerationHub),
      tasks: target(HubConstants.TaskHub),
      notifications: target(HubConstants.SystemNotificationHub),
      spend: target(HubConstants.SpendNotificationHub),
      webhooks: target(HubConstants.WebhookDeliveryHub),
      admin: target(HubConstants.AdminNotificationHub),
      navigation: target(HubConstants.NavigationStateHub),
    };
  }

  /** Conduit's side of `/hubs/notifications` (SystemNotificationHub): a virtual key joins `system-notifications` and its `vkey-{id}`. */
  private notificationsTenant(): NotificationsTenant {
    return {
      name: 'conduit',
      authenticate: (request, token) => (token?.startsWith(VIRTUAL_KEY_PREFIX) ? this.auth.virtualKeyAuthenticator(request, token) : undefined),
      connected: async (hub) => {
        await this.registry.join(hub.groups, hub.context.connectionId, GroupPatterns.systemNotifications);
        await this.joinKeyGroup(hub);
      },
    };
  }

  private map(hubs: HubServer, path: string, HubType: ConduitHubClass, options: HubOptions, connected: (hub: AcknowledgingHub) => Promise<void>): void {
    const runtime: ReliableHubRuntime = { path, registry: this.registry, tracker: this.tracker, connected };
    const endpoint = hubs.mapHub(path, HubType as unknown as HubClass, { ...options, activator: () => new HubType(runtime, this.subscriptions) });
    this.endpoints.set(path, endpoint);
  }

  private async joinKeyGroup(hub: AcknowledgingHub): Promise<void> {
    const keyId = schemeOf(hub.context.user) === 'VirtualKey' ? hub.context.userIdentifier : undefined;
    if (keyId) await this.registry.join(hub.groups, hub.context.connectionId, GroupPatterns.virtualKey(keyId));
  }

  private endpointAt(path: string): HubEndpoint {
    const endpoint = this.endpoints.get(path);
    if (!endpoint) throw new Error(`No Conduit hub is mapped at '${path}'.`);
    return endpoint;
  }

  // ---- the engine's events ------------------------------------------------------

  async publish(activity: JobActivity): Promise<void> {
    await this.tasks.publish(activity.event);
  }

  // ---- operations for the REST API ------------------------------------------------

  /** Starts a (demo) generation task for a virtual key. */
  async startTask(kind: 'video' | 'image', virtualKeyId: string, input: Record<string, string | number>) {
    return this.deps.engine.enqueue({ type: TASK_TYPES[kind].jobType, ownerId: ownerOfKey(virtualKeyId), input, metadata: { virtualKeyId } });
  }

  /** A Conduit task (a job of this surface's types), or undefined. */
  async task(taskId: string) {
    const job = await this.deps.engine.get(taskId);
    return job && this.ownsJobType(job.type) ? job : undefined;
  }

  cancelTask(taskId: string, reason: string) {
    return this.deps.engine.cancel(taskId, reason);
  }

  /** Issues a key (ConfigurationChanged to the admins). */
  async issueKey(name: string, maxBudget: number | null) {
    const issued = await this.keys.issue(name, maxBudget);
    await this.system.configurationChanged({ setting: 'VirtualKey', action: 'Created', details: { virtualKeyId: issued.virtualKey.id, name, maxBudget }, changedBy: 'master key' });
    return issued;
  }

  /** Revokes a key and closes its open connections on every node (ConfigurationChanged to the admins). */
  async revokeKey(id: string) {
    const revoked = await this.keys.revoke(id);
    if (!revoked) return undefined;
    await this.stores.revocations.announce(id);
    await this.system.configurationChanged({ setting: 'VirtualKey', action: 'Revoked', details: { virtualKeyId: id, name: revoked.name }, changedBy: 'master key' });
    return revoked;
  }

  /** Closes this node's connections of the key (not a JWT user of `/hubs/notifications` who has the same id). */
  private closeConnectionsOf(virtualKeyId: string): void {
    for (const connection of this.registry.connectionsOf(virtualKeyId)) if (schemeOf(connection.user) === 'VirtualKey') connection.abort();
  }

  /** Closes this node's connections of keys revoked meanwhile (revocations announced while this node could not hear them). */
  private async closeRevokedConnections(): Promise<void> {
    const held = new Set<string>();
    for (const connection of this.registry.all()) if (schemeOf(connection.user) === 'VirtualKey' && connection.userIdentifier) held.add(connection.userIdentifier);
    for (const id of held) {
      const key = await this.keys.get(id);
      if (key?.revokedAt) this.closeConnectionsOf(id);
    }
  }

  // ---- lifetime -----------------------------------------------------------------------

  async start(): Promise<void> {
    await this.stores.start();
    this.flipper.start();
  }

  /** Sends what is waiting, dead-letters what was never acknowledged, closes the database. */
  async close(): Promise<void> {
    this.flipper.stop();
    await this.batcher.flush().catch(() => undefined);
    await this.spend.flush().catch(() => undefined);
    this.spend.close();
    await this.tracker.close();
    this.limiter.close();
    await this.stores.close();
  }

  /** The counters, with the dead-letter total as last read (for `/health`, which reads synchronously). */
  get metrics() {
    const count = this.deadLetters.count();
    if (typeof count === 'number') this.lastDeadLetterCount = count;
    else void Promise.resolve(count).then((n) => void (this.lastDeadLetterCount = n), () => undefined);
    return this.counters(this.lastDeadLetterCount);
  }

  /** The counters with the dead-letter total read now. */
  async currentMetrics() {
    this.lastDeadLetterCount = await this.deadLetters.count();
    return this.counters(this.lastDeadLetterCount);
  }

  private counters(deadLetters: number) {
    return {
      connections: this.registry.metrics,
      acknowledgements: { ...this.tracker.metrics, pending: this.tracker.size },
      batching: this.batcher.metrics,
      rateLimit: this.limiter.metrics,
      spend: this.spend.metrics,
      webhooks: this.webhooks.metrics,
      deadLetters,
    };
  }
}
