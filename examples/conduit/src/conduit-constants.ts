import { createHash } from 'node:crypto';

/** Conduit's `HubConstants`: where each Conduit hub is mapped. */
export const HubConstants = {
  VideoGenerationHub: '/hubs/video-generation',
  ImageGenerationHub: '/hubs/image-generation',
  TaskHub: '/hubs/tasks',
  SystemNotificationHub: '/hubs/notifications',
  SpendNotificationHub: '/hubs/spend-notifications',
  WebhookDeliveryHub: '/hubs/webhooks',
  AdminNotificationHub: '/hubs/admin-notifications',
  NavigationStateHub: '/hubs/navigation-state',
} as const;

/** Conduit's `GroupPatterns`. */
export const GroupPatterns = {
  virtualKey: (virtualKeyId: string) => `vkey-${virtualKeyId}`,
  /** A key's tasks of one type (TaskHub's SubscribeToTaskType). */
  virtualKeyTaskType: (virtualKeyId: string, taskType: string) => `vkey-${virtualKeyId}-${taskType}`,
  task: (taskId: string) => `task-${taskId}`,
  video: (requestId: string) => `video-${requestId}`,
  image: (requestId: string) => `image-${requestId}`,
  /**
   * Conduit hashes the URL (`GetHashCode`, which .NET randomizes per
   * process); a stable hash of the key and the URL here, so one key's
   * deliveries never reach another key that watches the same URL.
   */
  webhook: (virtualKeyId: string, webhookUrl: string) =>
    `webhook-${createHash('sha256').update(`${virtualKeyId}\u0000${webhookUrl}`).digest('hex').slice(0, 24)}`,
  systemNotifications: 'system-notifications',
  admin: 'admin',
} as const;

/** Task types as TaskHub reports them (`taskType`) and the job types behind them. */
export const TASK_TYPES = {
  video: { taskType: 'video_generation', jobType: 'ConduitVideoGeneration' },
  image: { taskType: 'image_generation', jobType: 'ConduitImageGeneration' },
} as const;

export type ConduitTaskKind = keyof typeof TASK_TYPES;

export function taskKindOfJobType(jobType: string): ConduitTaskKind | undefined {
  if (jobType === TASK_TYPES.video.jobType) return 'video';
  if (jobType === TASK_TYPES.image.jobType) return 'image';
  return undefined;
}

/** Jobs of virtual keys are owned by `vkey:{id}`, which no JWT user id of the service collides with by accident. */
export const ownerOfKey = (virtualKeyId: string) => `vkey:${virtualKeyId}`;
export const keyOfOwner = (ownerId: string | null) => (ownerId?.startsWith('vkey:') ? ownerId.slice('vkey:'.length) : undefined);
