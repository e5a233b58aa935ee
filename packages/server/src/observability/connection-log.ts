import type { HubFilter } from '@tidings/hub';
import type { Logger } from '../logger.js';

/**
 * A hub filter that logs connections coming and going at debug (path,
 * transport, user, and why it ended): quiet at info, there when an operator
 * turns LOG_LEVEL=debug on to follow one client.
 */
export function connectionLog(logger: Logger): HubFilter {
  return {
    async onConnected(lifetime, next) {
      await next(lifetime);
      const { context } = lifetime;
      logger.debug({ connectionId: context.connectionId, path: context.request.path, transport: context.transport, user: context.userIdentifier }, 'connection opened');
    },
    async onDisconnected(lifetime, error, next) {
      const { context } = lifetime;
      logger.debug({ connectionId: context.connectionId, path: context.request.path, transport: context.transport, user: context.userIdentifier, error: error?.message }, 'connection closed');
      await next(lifetime, error);
    },
  };
}
