import type { HubServer } from '@tidings/hub';
import type { JobEngine, JobType, JsonValue } from '@tidings/jobs';
import type { FastifyInstance } from 'fastify';
import type { AccessPolicy } from '../auth/access-policy.js';
import type { AuthService } from '../auth/auth-service.js';
import type { ServerConfig } from '../config.js';
import type { JobActivityHandler } from '../events/job-event-router.js';
import type { FetchUrlGuard } from '../http/fetch-url-guard.js';
import type { Logger } from '../logger.js';

/** A job type of any input and result, as a plugin lists it. */
export type AnyJobType = JobType<never, JsonValue>;

/**
 * What a plugin adds to the service, fastify-style: job types (static, so a
 * worker imports them without building the server), and, when the service is
 * assembled, hubs, REST routes under its own prefix, reactions to the events
 * of its job types, and start/close work.
 *
 * ```ts
 * const greeter = definePlugin({
 *   name: 'greeter',
 *   jobTypes: [greet],
 *   register(ctx) {
 *     ctx.hubs.mapHub('/hubs/greetings', GreetingHub);
 *     ctx.routes('/api/greetings', async (app) => app.get('/', async () => ({ hello: 'world' })));
 *     ctx.onJobEvent(async ({ event }) => ctx.logger.info({ kind: event.kind }, 'greeting job event'));
 *   },
 * });
 * await createTidingsServer({ plugins: [greeter] });
 * ```
 */
export interface TidingsPlugin {
  /** For logs, metrics (`/health`'s `plugins`) and errors. Unique per server. */
  readonly name: string;
  /** Registered with the engine unless the server was given a processor for that type. */
  readonly jobTypes?: readonly AnyJobType[];
  /**
   * Job types whose events this plugin hears besides its own `jobTypes`
   * (types whose processors another module defines). A plugin hears no other type's events.
   */
  readonly eventTypes?: readonly string[];
  /** Called once while the service is assembled, in the order the plugins were given. */
  register(context: PluginContext): void | Promise<void>;
}

/** What a plugin builds on. Everything here is the service's own, shared with the other plugins. */
export interface PluginContext {
  readonly engine: JobEngine;
  /** The service's hub server: map the plugin's hubs here (they share its transports, backplane and auth defaults). */
  readonly hubs: HubServer;
  /** The service's identity (JWT or open development mode): its hub authenticator and REST guards. */
  readonly auth: AuthService;
  readonly access: AccessPolicy;
  /** Refuses URLs that would make the service fetch from private networks (unless ALLOW_PRIVATE_URLS). */
  readonly urlGuard: FetchUrlGuard;
  readonly config: ServerConfig;
  /** A child logger naming the plugin. */
  readonly logger: Logger;
  /** Registers `routes` as an encapsulated fastify plugin under `prefix`. */
  routes(prefix: string, routes: (app: FastifyInstance) => Promise<void>): void;
  /** Called for each event of the plugin's job types, in order per job. A failure is logged and counted; the job goes on. */
  onJobEvent(handler: JobActivityHandler): void;
  /** Runs when the service starts, after the engine (to start producers of the plugin's own). */
  onStart(hook: () => void | Promise<void>): void;
  /** Runs when the service closes, after the hubs, in reverse plugin order. */
  onClose(hook: () => void | Promise<void>): void;
  /** What `/health` shows under `plugins.<name>`. */
  metrics(read: () => object): void;
  /** Offers `value` under `key` to the plugins registered after this one (like a fastify decorator), for plugins that build on each other. */
  provide(key: string, value: object): void;
  /** What an earlier plugin provided under `key`; undefined when none did. */
  lookup<T extends object>(key: string): T | undefined;
}

/** Types a plugin definition (an identity function, for inference and a single place to document the shape). */
export function definePlugin<P extends TidingsPlugin>(plugin: P): P {
  if (!plugin.name) throw new TypeError('A plugin needs a name.');
  return plugin;
}
