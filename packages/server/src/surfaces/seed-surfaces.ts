import type { HubServer } from '@tidings/hub';
import type { JobEngine } from '@tidings/jobs';
import type { FastifyInstance } from 'fastify';
import type { AuthService } from '../auth/auth-service.js';
import type { ServerConfig } from '../config.js';
import type { Surface } from '../events/event-fan-in.js';
import { conduitAdminRoutes } from '../http/routes/conduit-admin.js';
import { conduitApiRoutes } from '../http/routes/conduit-api.js';
import type { FetchUrlGuard } from '../http/fetch-url-guard.js';
import { deploymentRoutes } from '../http/routes/deployments.js';
import type { Logger } from '../logger.js';
import { HubConstants } from './conduit/conduit-constants.js';
import { type ConduitOptions, ConduitSurface } from './conduit/conduit-surface.js';
import type { DeploymentNotifier } from './hotswap/deployment-notifier.js';
import { DeploymentSurface } from './hotswap/deployment-surface.js';
import { mountNotificationsHub } from './shared/notifications-hub.js';
import { YoutubeRagSurface } from './youtube-rag/youtube-rag-surface.js';

/** Tuning of the seed 000/002/003/004 surfaces (tests shorten windows and drive clocks here). */
export interface SeedSurfacesOptions {
  readonly conduit?: ConduitOptions;
  readonly hotswap?: { readonly decorateNotifier?: (notifier: DeploymentNotifier) => DeploymentNotifier };
}

export interface SeedSurfaces {
  readonly youtubeRag: YoutubeRagSurface;
  readonly conduit: ConduitSurface;
  readonly deployments: DeploymentSurface;
  /** For the event fan-in. */
  readonly surfaces: readonly Surface[];
  /** `/api/conduit`, `/api/conduit/admin`, `/api/deployments`. */
  registerRoutes(app: FastifyInstance): Promise<void>;
  /** Starts the demo producers that run on their own. */
  start(): void;
  close(): Promise<void>;
  readonly metrics: object;
}

/**
 * The other seed systems on the shared engine, beside seed 001's surface:
 * YoutubeRag's `/hubs/progress` (seed 000), Conduit's hubs with seed 003's
 * reliability (seed 002), HotSwap's `/deploymentHub` (seed 004), and the
 * `/hubs/notifications` that seeds 000 and 002 both map.
 */
export function mountSeedSurfaces(deps: {
  readonly engine: JobEngine;
  readonly hubs: HubServer;
  readonly auth: AuthService;
  readonly urlGuard: FetchUrlGuard;
  readonly config: ServerConfig;
  readonly logger: Logger;
  readonly options?: SeedSurfacesOptions;
}): SeedSurfaces {
  const { engine, hubs, config, logger } = deps;
  const conduit = new ConduitSurface({
    engine,
    failures: deps.auth.failures,
    dataDir: config.dataDir,
    demoSpeed: config.demoSpeed,
    logger: logger.child({ component: 'conduit' }),
    // In scaled mode every API node mounts this surface: a periodic demo producer on each
    // would multiply its broadcasts, so there the flips are REST-triggered only.
    options: { masterKey: config.conduitMasterKey, healthFlipIntervalMs: config.redisUrl ? 0 : undefined, ...deps.options?.conduit },
  });
  const deployments = new DeploymentSurface({
    engine,
    demoSpeed: config.demoSpeed,
    logger: logger.child({ component: 'hotswap' }),
    decorateNotifier: deps.options?.hotswap?.decorateNotifier,
  });
  const youtubeRag = new YoutubeRagSurface({
    engine,
    auth: deps.auth,
    logger: logger.child({ component: 'youtube-rag' }),
    ownsJobType: (type) => !conduit.ownsJobType(type) && !deployments.ownsJobType(type),
  });

  youtubeRag.mount(hubs);
  deployments.mount(hubs);
  conduit.mount(hubs, (conduitTenant, runtime, options) => {
    const endpoint = mountNotificationsHub(hubs, HubConstants.SystemNotificationHub, runtime, [conduitTenant, youtubeRag.notificationsTenant()], options);
    youtubeRag.useNotifications(endpoint.context.clients);
    return endpoint;
  });
  if (conduit.masterKeyFile) {
    logger.warn(
      { conduitMasterKeyFile: conduit.masterKeyFile },
      `CONDUIT_MASTER_KEY is not set: generated a master key for this run (it changes at every start) and wrote it to ${conduit.masterKeyFile} (mode 0600). ` +
        'Issue virtual keys with POST /api/conduit/admin/virtual-keys.',
    );
  }

  const corsOrigins = config.corsOrigins;
  return {
    youtubeRag,
    conduit,
    deployments,
    surfaces: [youtubeRag, conduit, deployments],
    async registerRoutes(app) {
      const { failures } = deps.auth;
      const { urlGuard } = deps;
      await app.register(conduitApiRoutes, { prefix: '/api/conduit', conduit, corsOrigins, failures, urlGuard });
      await app.register(conduitAdminRoutes, { prefix: '/api/conduit/admin', conduit, corsOrigins, failures, urlGuard });
      await app.register(deploymentRoutes, { prefix: '/api', deployments, auth: deps.auth, corsOrigins });
    },
    start() {
      conduit.start();
    },
    close() {
      return conduit.close();
    },
    get metrics() {
      return { conduit: conduit.metrics, hotswap: deployments.metrics };
    },
  };
}
