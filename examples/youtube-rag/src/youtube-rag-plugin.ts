import { PIPELINE_STEPS, PIPELINE_TYPE, type SharedHub, definePlugin } from '@tidings/server';
import type { YoutubeRagConnectionManager } from './youtube-rag-connection-manager.js';
import { YoutubeRagSurface } from './youtube-rag-surface.js';

/** The job types YoutubeRag shows: the video pipeline and its steps. */
export const YOUTUBE_RAG_JOB_TYPES: readonly string[] = [PIPELINE_TYPE, ...PIPELINE_STEPS.map((step) => step.type)];

export const NOTIFICATIONS_HUB_PATH = '/hubs/notifications';

/**
 * YoutubeRag on tidings: `/hubs/progress` for the video pipeline's jobs, and
 * YoutubeRag's users on `/hubs/notifications` (`onNotification` when one of
 * their jobs ends) when an earlier plugin shares that hub (Conduit's does).
 * `connections` is YoutubeRag's connection manager once the plugin is registered.
 */
export function youtubeRagPlugin() {
  let surface: YoutubeRagSurface | undefined;
  return definePlugin({
    name: 'youtube-rag',
    /** YoutubeRag's connection manager: users' connections and job subscriptions, on every node. */
    get connections(): YoutubeRagConnectionManager {
      if (!surface) throw new Error('The youtube-rag plugin is not registered with a service yet.');
      return surface.connections;
    },
    // The pipeline's processors are the service's own (the video demo); this plugin only reports them.
    eventTypes: YOUTUBE_RAG_JOB_TYPES,
    register(ctx) {
      const types = new Set(YOUTUBE_RAG_JOB_TYPES);
      const youtubeRag = new YoutubeRagSurface({ engine: ctx.engine, auth: ctx.auth, logger: ctx.logger, ownsJobType: (type) => types.has(type) });
      youtubeRag.mount(ctx.hubs);
      surface = youtubeRag;
      const notifications = ctx.lookup<SharedHub>(NOTIFICATIONS_HUB_PATH);
      if (notifications) {
        notifications.addTenant(youtubeRag.notificationsTenant());
        youtubeRag.useNotifications(notifications);
      } else {
        ctx.logger.info(`no plugin shares ${NOTIFICATIONS_HUB_PATH}: YoutubeRag's user notifications are not served`);
      }
      ctx.onJobEvent((activity) => youtubeRag.publish(activity));
    },
  });
}
