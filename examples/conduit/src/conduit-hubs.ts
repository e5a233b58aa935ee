import { hubMethod } from '@tidings/hub';
import { AcknowledgingHub, type ReliableHubRuntime } from './reliability/acknowledging-hub.js';

/** What a subscription is to: a video or image generation request, or any task. */
export type SubscriptionKind = 'video' | 'image' | 'task';

/** The work behind the Conduit hubs' methods; each gets the hub instance of the invocation. */
export interface ConduitHubOperations {
  subscribe(hub: AcknowledgingHub, kind: SubscriptionKind, id: unknown): Promise<void>;
  unsubscribe(hub: AcknowledgingHub, kind: SubscriptionKind, id: unknown): Promise<void>;
  subscribeToTaskType(hub: AcknowledgingHub, taskType: unknown): Promise<void>;
  unsubscribeFromTaskType(hub: AcknowledgingHub, taskType: unknown): Promise<void>;
  subscribeToWebhooks(hub: AcknowledgingHub, webhookUrls: unknown): Promise<void>;
  unsubscribeFromWebhooks(hub: AcknowledgingHub, webhookUrls: unknown): Promise<void>;
  updateNavigation(hub: AcknowledgingHub, state: unknown): Promise<void>;
}

/**
 * Conduit's hubs. Each one also has Conduit's `AcknowledgeMessage`,
 * `NackMessage` and `Ping` (from AcknowledgingHub), and joins its virtual
 * key's `vkey-{id}` group on connect (the admin hub: `admin`). Method names
 * match case-insensitively.
 */
abstract class ConduitHub extends AcknowledgingHub {
  constructor(
    runtime: ReliableHubRuntime,
    protected readonly ops: ConduitHubOperations,
  ) {
    super(runtime);
  }
}

/** `/hubs/video-generation`: VideoProgress, VideoCompleted, VideoFailed to `video-{requestId}`. */
export class VideoGenerationHub extends ConduitHub {
  @hubMethod('SubscribeToVideoGeneration')
  subscribeToVideoGeneration(requestId: unknown): Promise<void> {
    return this.ops.subscribe(this, 'video', requestId);
  }

  @hubMethod('UnsubscribeFromVideoGeneration')
  unsubscribeFromVideoGeneration(requestId: unknown): Promise<void> {
    return this.ops.unsubscribe(this, 'video', requestId);
  }
}

/** `/hubs/image-generation`: ImageProgress, ImageCompleted, ImageFailed to `image-{requestId}`. */
export class ImageGenerationHub extends ConduitHub {
  @hubMethod('SubscribeToImageGeneration')
  subscribeToImageGeneration(requestId: unknown): Promise<void> {
    return this.ops.subscribe(this, 'image', requestId);
  }

  @hubMethod('UnsubscribeFromImageGeneration')
  unsubscribeFromImageGeneration(requestId: unknown): Promise<void> {
    return this.ops.unsubscribe(this, 'image', requestId);
  }
}

/** `/hubs/tasks`: TaskStarted, TaskProgress, TaskProgressDelta, TaskCompleted, TaskFailed, TaskCancelled. */
export class TaskHub extends ConduitHub {
  @hubMethod('SubscribeToTask')
  subscribeToTask(taskId: unknown): Promise<void> {
    return this.ops.subscribe(this, 'task', taskId);
  }

  @hubMethod('UnsubscribeFromTask')
  unsubscribeFromTask(taskId: unknown): Promise<void> {
    return this.ops.unsubscribe(this, 'task', taskId);
  }

  @hubMethod('SubscribeToTaskType')
  subscribeToTaskType(taskType: unknown): Promise<void> {
    return this.ops.subscribeToTaskType(this, taskType);
  }

  @hubMethod('UnsubscribeFromTaskType')
  unsubscribeFromTaskType(taskType: unknown): Promise<void> {
    return this.ops.unsubscribeFromTaskType(this, taskType);
  }
}

/** `/hubs/spend-notifications`: SpendUpdate, BudgetAlert, UnusualSpending to `vkey-{id}`. */
export class SpendNotificationHub extends ConduitHub {}

/** `/hubs/webhooks`: WebhookDelivered, WebhookFailed to `vkey-{id}` and to watchers of the URL. */
export class WebhookDeliveryHub extends ConduitHub {
  @hubMethod('SubscribeToWebhooks')
  subscribeToWebhooks(webhookUrls: unknown): Promise<void> {
    return this.ops.subscribeToWebhooks(this, webhookUrls);
  }

  @hubMethod('UnsubscribeFromWebhooks')
  unsubscribeFromWebhooks(webhookUrls: unknown): Promise<void> {
    return this.ops.unsubscribeFromWebhooks(this, webhookUrls);
  }
}

/** `/hubs/admin-notifications` (master key): SystemAlert, ConfigurationChanged to `admin`. */
export class AdminNotificationHub extends ConduitHub {}

/** `/hubs/navigation-state` (planned in Conduit): UpdateNavigation(state) → NavigationUpdated to the key's connections. */
export class NavigationStateHub extends ConduitHub {
  @hubMethod('UpdateNavigation')
  updateNavigation(state: unknown): Promise<void> {
    return this.ops.updateNavigation(this, state);
  }
}
