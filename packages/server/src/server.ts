import { join } from 'node:path';
import { type HubOptions, HubMetrics, HubServer, fastifyHubs } from '@tidings/hub';
import { BackplaneMetrics } from '@tidings/redis';
import { InProcessRunner, JobEngine, SqliteJobStore } from '@tidings/jobs';
import type { Registry } from 'prom-client';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import { AccessPolicy } from './auth/access-policy.js';
import { AuthService } from './auth/auth-service.js';
import { DEFAULT_CONFIG, type ServerConfig } from './config.js';
import type { ProcessorSet } from './demo/simulated-processors.js';
import { JobEventRouter } from './events/job-event-router.js';
import { connectionLog } from './observability/connection-log.js';
import { api } from './http/api.js';
import { API_PREFIX } from './http/api-context.js';
import { FetchUrlGuard } from './http/fetch-url-guard.js';
import { formatSchemaErrors } from './http/http-errors.js';
import { serviceJobTypes } from './job-types.js';
import { registerOpenApi } from './http/openapi.js';
import { strictBodyValidation } from './http/strict-body-validation.js';
import { dashboardRoutes } from './http/routes/dashboard.js';
import { staticAssetRoutes } from './http/routes/static-assets.js';
import { statsRoutes } from './http/routes/stats.js';
import { type Logger, createLogger, requestLogSerializer } from './logger.js';
import { loadPlugins } from './plugins/load-plugins.js';
import { PluginHost } from './plugins/plugin-host.js';
import type { TidingsPlugin } from './plugins/tidings-plugin.js';
import { ScaledMode } from './scale/scaled-mode.js';
import { ServiceObservability, type ServiceMetricsOptions, serviceRegistry } from './observability/service-observability.js';
import { JobProgressSurface } from './surfaces/job-progress/job-progress-surface.js';
import { VideoPipeline } from './videos/video-pipeline.js';

export interface TidingsServerOptions {
  readonly config?: Partial<ServerConfig>;
  readonly logger?: Logger;
  /** Processors by job type (default: the simulated video pipeline at `config.demoSpeed`); they win over the plugins' job types. */
  readonly processors?: ProcessorSet;
  /** What the service is composed with: each plugin's job types, hubs, routes and reactions to job events. `config.plugins` (TIDINGS_PLUGINS) adds more, after these. */
  readonly plugins?: readonly TidingsPlugin[];
  /** Options for every hub (timeouts, say), under the service's own. */
  readonly hubOptions?: HubOptions;
  /** At most one ordinary progress event per job per this many ms. Default 1000. */
  readonly throttleIntervalMs?: number;
  /** The built dashboard served at `/`. Default: `@tidings/dashboard`'s `dist`. */
  readonly dashboardDir?: string;
  /** Where `/metrics` comes from: a prom-client registry of your own (to serve with your other metrics), and whether to add Node's process metrics. */
  readonly metrics?: ServiceMetricsOptions;
}

export interface TidingsServer {
  readonly app: FastifyInstance;
  readonly hubs: HubServer;
  readonly engine: JobEngine;
  readonly config: ServerConfig;
  /** Set when REDIS_URL is: the Redis job cluster, backplanes and (role worker or all) the job worker. */
  readonly scale: ScaledMode | undefined;
  /** The prom-client registry `/metrics` serves: the jobs, the hubs and the process. */
  readonly registry: Registry;
  /** Starts the jobs (recovering unfinished ones) and listens; resolves with the base URL. */
  listen(): Promise<string>;
  /** Graceful stop: refuse new requests, let jobs checkpoint, tell clients, close. */
  close(): Promise<void>;
}

/**
 * The job-progress service: REST, `/hubs/job-progress`, the dashboard, the job
 * engine on SQLite (or Redis), and whatever its plugins add.
 */
export async function createTidingsServer(options: TidingsServerOptions = {}): Promise<TidingsServer> {
  const config: ServerConfig = { ...DEFAULT_CONFIG, ...options.config };
  const logger = options.logger ?? createLogger(config.logLevel, config.logFormat);
  const redisUrl = config.redisUrl;
  // One registry for everything /metrics shows: the process, the jobs, every hub and backplane.
  const registry = serviceRegistry(options.metrics);
  const scale = redisUrl
    ? new ScaledMode({ config: { ...config, redisUrl }, logger, throttleIntervalMs: options.throttleIntervalMs, backplaneMetrics: new BackplaneMetrics({ registry }) })
    : undefined;
  const store = scale ? undefined : new SqliteJobStore(join(config.dataDir, 'tidings.db'));
  const opened: { close(): unknown }[] = [];
  if (store) opened.push(store);
  if (scale) opened.push(scale);
  try {
    return await assemble(options, config, logger, registry, scale, store, opened);
  } catch (error) {
    // A failed start (a bad route, an unwritable DATA_DIR) must not leave files and Redis connections open.
    for (const resource of opened.reverse()) await Promise.resolve(resource.close()).catch(() => undefined);
    throw error;
  }
}

async function assemble(
  options: TidingsServerOptions,
  config: ServerConfig,
  logger: Logger,
  registry: Registry,
  scale: ScaledMode | undefined,
  store: SqliteJobStore | undefined,
  opened: { close(): unknown }[],
): Promise<TidingsServer> {
  const engine = scale?.engine ?? new JobEngine({
    store: store!,
    runner: new InProcessRunner({ concurrency: config.jobConcurrency, logger: logger.child({ component: 'runner' }) }),
    logger: logger.child({ component: 'jobs' }),
    shutdownGraceMs: config.shutdownGraceMs,
    throttleIntervalMs: options.throttleIntervalMs,
  });
  // Given plugins first, then the modules TIDINGS_PLUGINS names (as `npm start`, the worker and `tidings serve` load them).
  const pluginList = [...(options.plugins ?? []), ...(await loadPlugins(config))];
  for (const type of serviceJobTypes({ demoSpeed: config.demoSpeed, processors: options.processors, plugins: pluginList })) engine.register(type);

  const auth = new AuthService(config.jwtSecret, {
    userIdClaims: config.jwtUserIdClaims,
    requireExpiry: config.jwtRequireExp,
    failedAuth: { limit: config.authFailureLimit, windowSeconds: config.authFailureWindowSeconds },
  });
  const access = new AccessPolicy(auth.mode === 'jwt');
  const urlGuard = new FetchUrlGuard({ allowPrivate: config.allowPrivateUrls });
  const videos = new VideoPipeline(engine);
  const hubOptions: HubOptions = {
    keepAliveIntervalMs: 15_000,
    clientTimeoutMs: 60_000,
    handshakeTimeoutMs: 30_000,
    maxReceiveMessageSize: 102_400,
    logger: logger.child({ component: 'hubs' }),
    metrics: new HubMetrics({ registry }),
    ...options.hubOptions,
    filters: [connectionLog(logger.child({ component: 'connections' })), ...(options.hubOptions?.filters ?? [])],
    authenticate: auth.hubAuthenticator,
    requireAuthentication: true,
    ...(config.corsOrigins ? { cors: { origins: config.corsOrigins } } : {}),
  };
  const hubs = scale?.createHubServer(hubOptions) ?? new HubServer(hubOptions);

  // One engine -> one router -> `/hubs/job-progress` (every job type) and each plugin (its own types).
  const router = new JobEventRouter(engine, logger.child({ component: 'plugins' }));
  const jobProgress = new JobProgressSurface({ engine, videos, access, logger: logger.child({ component: 'job-progress' }) });
  const jobProgressHub = jobProgress.mount(hubs, { authenticate: auth.followHubAuthenticator });
  router.add('job-progress', 'all', (activity) => jobProgress.publish(activity));
  const plugins = new PluginHost({ engine, hubs, auth, access, urlGuard, config, logger, router });
  opened.push(plugins);
  await plugins.register(pluginList);
  engine.addSink(router);
  const observability = new ServiceObservability({ registry, engine, router, scale, logger });
  engine.addSink(observability.sink);

  const app = Fastify({
    // Request lines carry no token: the query's access_token is redacted.
    loggerInstance: logger.child({}, { serializers: { req: requestLogSerializer } }) as FastifyBaseLogger,
    // Request lines only when debugging: job and hub logs say what matters at info.
    logController: new LogController({ disableRequestLogging: config.logLevel !== 'debug' && config.logLevel !== 'trace' }),
    forceCloseConnections: true,
    schemaErrorFormatter: formatSchemaErrors,
    schemaController: { compilersFactory: { buildValidator: strictBodyValidation } },
  });
  await registerOpenApi(app, auth.mode);
  observability.traceRequests(app, '/api');
  await app.register(api, { prefix: API_PREFIX, context: { engine, videos, auth, access, urlGuard, corsOrigins: config.corsOrigins, followTokenTtlSeconds: config.followTokenTtlSeconds } });
  await app.register(statsRoutes, { prefix: API_PREFIX, engine, hubs, auth, scale, registry });
  await app.register(staticAssetRoutes);
  await app.register(dashboardRoutes, { root: options.dashboardDir });
  await plugins.registerRoutes(app);
  const startedAt = Date.now();
  let stopping = false;
  app.get('/health', { schema: { tags: ['service'], summary: 'Liveness and counters' } }, async (_request, reply) => {
    const body = {
      status: stopping ? 'stopping' : scale && !scale.connected ? 'degraded' : 'ok',
      mode: auth.mode,
      uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
      jobs: engine.metrics,
      hubEvents: router.metrics,
      hubs: { [jobProgressHub.path]: { connections: jobProgressHub.connectionCount } },
      plugins: plugins.metrics,
      ...(scale ? { redis: await scale.health() } : {}),
    };
    return reply.code(stopping ? 503 : 200).send(body);
  });
  await observability.registerRoutes(app, {
    stopping: () => stopping,
    checks: scale ? scale.readiness() : { store: () => engine.list({ limit: 1 }).then(() => true) },
  });
  fastifyHubs(app, hubs);

  // Fastify answers new requests with 503 from here on; then the jobs checkpoint,
  // their last events go out, and clients get a Close inviting them to reconnect.
  app.addHook('preClose', async () => {
    stopping = true;
    logger.info('shutting down: letting running jobs checkpoint');
    await scale?.stopWorker();
    await engine.stop();
    // Only this node's clients: in scaled mode the other nodes keep serving theirs.
    await jobProgress.broadcastHere('ServerShutdown', 'The server is shutting down; clients with automatic reconnect will reconnect.').catch(() => undefined);
    await hubs.close();
  });
  app.addHook('onClose', async () => {
    await plugins.close();
    await store?.close();
    await scale?.close();
  });

  // Open mode lets anyone who can reach the port see and cancel every job: only this machine, unless HOST says otherwise.
  const host = config.host ?? (auth.mode === 'open' ? '127.0.0.1' : '0.0.0.0');
  if (auth.mode === 'open') {
    logger.warn(
      { host },
      'JWT_SECRET is not set: open development mode. Anyone who can reach the service can connect, see and cancel every job; ' +
        'POST /api/v1/auth/dev-token issues tokens. Set JWT_SECRET for production.',
    );
    logger.warn(
      { host },
      config.host === undefined
        ? 'Open mode listens on 127.0.0.1 only (set HOST to listen elsewhere).'
        : `Open mode listens on ${host}, as HOST says: everyone who can reach it has full access.`,
    );
  }

  return {
    app,
    hubs,
    engine,
    config,
    scale,
    registry: observability.registry,
    async listen() {
      await scale?.start();
      await observability.start();
      await engine.start();
      await plugins.start();
      await app.listen({ port: config.port, host });
      const address = app.server.address();
      const port = typeof address === 'object' && address ? address.port : config.port;
      const local = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
      return `http://${local.includes(':') ? `[${local}]` : local}:${port}`;
    },
    async close() {
      await app.close();
    },
  };
}
