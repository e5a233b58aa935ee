import type { FastifyInstance } from 'fastify';
import type { JobEventRouter } from '../events/job-event-router.js';
import type { PluginContext, TidingsPlugin } from './tidings-plugin.js';

type Hook = () => void | Promise<void>;

/** Runs the plugins' registration and keeps what they contributed: routes, hooks, metrics. */
export class PluginHost {
  private readonly routeSets: { readonly prefix: string; readonly routes: (app: FastifyInstance) => Promise<void> }[] = [];
  private readonly starts: Hook[] = [];
  private readonly closes: Hook[] = [];
  private readonly metricReaders = new Map<string, () => object>();
  private readonly provided = new Map<string, object>();

  constructor(
    private readonly deps: Pick<PluginContext, 'engine' | 'hubs' | 'auth' | 'access' | 'urlGuard' | 'config' | 'logger'> & { readonly router: JobEventRouter },
  ) {}

  /** Calls each plugin's `register` (its job types are the engine's already: see `serviceJobTypes`). */
  async register(plugins: readonly TidingsPlugin[]): Promise<void> {
    const names = new Set<string>();
    for (const plugin of plugins) {
      if (names.has(plugin.name)) throw new Error(`Two plugins are named '${plugin.name}'.`);
      names.add(plugin.name);
      await plugin.register(this.contextFor(plugin));
    }
  }

  private contextFor(plugin: TidingsPlugin): PluginContext {
    const { engine, hubs, auth, access, urlGuard, config, logger, router } = this.deps;
    const eventTypes = [...(plugin.jobTypes ?? []).map((t) => t.name), ...(plugin.eventTypes ?? [])];
    return {
      engine,
      hubs,
      auth,
      access,
      urlGuard,
      config,
      logger: logger.child({ plugin: plugin.name }),
      routes: (prefix, routes) => void this.routeSets.push({ prefix, routes }),
      onJobEvent: (handler) => router.add(plugin.name, eventTypes, handler),
      onStart: (hook) => void this.starts.push(hook),
      onClose: (hook) => void this.closes.unshift(hook),
      metrics: (read) => void this.metricReaders.set(plugin.name, read),
      provide: (key, value) => {
        if (this.provided.has(key)) throw new Error(`Plugin '${plugin.name}' provides '${key}', which another plugin provides already.`);
        this.provided.set(key, value);
      },
      lookup: <T extends object>(key: string) => this.provided.get(key) as T | undefined,
    };
  }

  /** Each route set as its own encapsulated fastify plugin under its prefix. */
  async registerRoutes(app: FastifyInstance): Promise<void> {
    for (const { prefix, routes } of this.routeSets) await app.register(async (scope) => routes(scope), { prefix });
  }

  async start(): Promise<void> {
    for (const hook of this.starts) await hook();
  }

  /** Every close hook runs, even after one failed; the first failure is rethrown. */
  async close(): Promise<void> {
    let failure: unknown;
    for (const hook of this.closes) {
      try {
        await hook();
      } catch (error) {
        failure ??= error;
      }
    }
    if (failure !== undefined) throw failure;
  }

  get metrics(): Record<string, object> {
    return Object.fromEntries([...this.metricReaders].map(([name, read]) => [name, read()]));
  }
}
