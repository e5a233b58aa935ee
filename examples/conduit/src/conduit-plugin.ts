import { conduitAdminRoutes } from './routes/conduit-admin.js';
import { conduitApiRoutes } from './routes/conduit-api.js';
import { type NotificationsTenant, mountNotificationsHub } from './notifications-hub.js';
import { HubConstants } from './conduit-constants.js';
import { type ConduitOptions, ConduitSurface } from './conduit-surface.js';
import { conduitJobTypes } from './demo/generation-processors.js';
import { localConduitStores } from './stores/conduit-stores.js';
import { redisConduitStores } from './stores/redis-conduit-stores.js';
import { definePlugin, type SharedHub } from '@tidings/server';

export interface ConduitPluginOptions extends ConduitOptions {
  /** How much faster than real time the DEMO generation providers run. Default 1. */
  readonly demoSpeed?: number;
}

/**
 * Conduit on tidings: its eight hubs with acknowledgements, batching and the
 * rate limit, virtual keys, spend, dead letters, `/api/conduit` and
 * `/api/conduit/admin`, and the DEMO generation providers as job types.
 * `/hubs/notifications` is shared: later plugins add their users to it
 * through what this one provides under that path.
 */
export function conduitPlugin(options: ConduitPluginOptions = {}) {
  const { demoSpeed = 1, ...conduitOptions } = options;
  return definePlugin({
    name: 'conduit',
    jobTypes: conduitJobTypes(demoSpeed),
    register(ctx) {
      const { config } = ctx;
      const conduit = new ConduitSurface({
        engine: ctx.engine,
        // Refused master and virtual keys count against the client IP like any refused credential of the service.
        failures: ctx.auth.failures,
        dataDir: config.dataDir,
        // Scaled mode: keys, spend, dead letters and acknowledgements shared by every API node.
        stores: config.redisUrl ? redisConduitStores({ url: config.redisUrl, prefix: config.redisPrefix, logger: ctx.logger }) : localConduitStores(config.dataDir),
        logger: ctx.logger,
        // In scaled mode every API node mounts these hubs: a periodic demo producer on each
        // would multiply its broadcasts, so there the flips are REST-triggered only.
        options: { healthFlipIntervalMs: config.redisUrl ? 0 : undefined, ...conduitOptions },
      });
      ctx.onClose(() => conduit.close());
      const tenants: NotificationsTenant[] = [];
      conduit.mount(ctx.hubs, (conduitTenant, runtime, hubOptions) => {
        tenants.push(conduitTenant);
        const endpoint = mountNotificationsHub(ctx.hubs, HubConstants.SystemNotificationHub, runtime, tenants, hubOptions);
        const shared: SharedHub = { addTenant: (tenant) => void tenants.push(tenant), clients: endpoint.context.clients, local: endpoint.context.local.clients };
        ctx.provide(HubConstants.SystemNotificationHub, shared);
        return endpoint;
      });
      if (conduit.masterKeyFile) {
        ctx.logger.warn(
          { conduitMasterKeyFile: conduit.masterKeyFile },
          `CONDUIT_MASTER_KEY is not set: generated a master key for this run (it changes at every start) and wrote it to ${conduit.masterKeyFile} (mode 0600). ` +
            'Issue virtual keys with POST /api/conduit/admin/virtual-keys.',
        );
      }
      ctx.onJobEvent((activity) => conduit.publish(activity));
      const routes = { conduit, corsOrigins: config.corsOrigins, failures: ctx.auth.failures, urlGuard: ctx.urlGuard };
      ctx.routes('/api/conduit', (app) => conduitApiRoutes(app, routes));
      ctx.routes('/api/conduit/admin', (app) => conduitAdminRoutes(app, routes));
      ctx.onStart(() => conduit.start());
      ctx.metrics(() => conduit.metrics);
    },
  });
}
