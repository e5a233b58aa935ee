import type { JobEngine } from '@tidings/jobs';
import type { FastifyInstance } from 'fastify';
import { Registry, collectDefaultMetrics } from 'prom-client';
import type { JobEventRouter } from '../events/job-event-router.js';
import type { Logger } from '../logger.js';
import type { ScaledMode } from '../scale/scaled-mode.js';
import { type ReadinessChecks, healthRoutes } from './health-routes.js';
import { JobLifecycleLog } from './job-lifecycle-log.js';
import { JobMetrics } from './job-metrics.js';
import { JobObserver } from './job-observer.js';
import { JobTimeline } from './job-timeline.js';
import { metricsRoutes } from './metrics-routes.js';
import { traceRequests } from './request-tracing.js';

export interface ServiceMetricsOptions {
  /** The registry to put every series in (to serve the service's with your own). Default: a new one. */
  readonly registry?: Registry;
  /** Node's process metrics (event-loop lag, heap, GC; prom-client's defaults). Default: on for the service's own registry, off for one given. */
  readonly processMetrics?: boolean;
}

/** The registry `/metrics` serves: the one given, or a new one with Node's process metrics. */
export function serviceRegistry(options: ServiceMetricsOptions = {}): Registry {
  const registry = options.registry ?? new Registry();
  if (options.processMetrics ?? options.registry === undefined) collectDefaultMetrics({ register: registry });
  return registry;
}

export interface ServiceObservabilityOptions {
  /** From `serviceRegistry`: the hubs' and the backplane's series are on it too. */
  readonly registry: Registry;
  readonly engine: JobEngine;
  readonly router: JobEventRouter;
  readonly scale: ScaledMode | undefined;
  readonly logger: Logger;
}

/**
 * What lets an operator see the service work: `/metrics` (one prom-client
 * registry: the jobs here, the hubs' and the backplane's from their packages), the job metrics and lifecycle log fed by one job-event sink,
 * `/health/live` and `/health/ready`, and REST request spans.
 */
export class ServiceObservability {
  readonly registry: Registry;
  readonly sink: JobObserver;
  private readonly jobMetrics: JobMetrics;

  constructor(private readonly options: ServiceObservabilityOptions) {
    const { engine, router, scale, logger } = options;
    this.registry = options.registry;
    this.jobMetrics = new JobMetrics({
      registry: this.registry,
      // A worker label only where several workers share the jobs; an API-only node's own jobs run elsewhere.
      workerLabel: scale !== undefined,
      knownTypes: () => engine.types,
      sinkFailures: () => engine.metrics.sinkFailures + router.metrics.sinkFailures,
      storeFailures: () => engine.metrics.storeFailures,
    });
    const timeline = new JobTimeline(scale ? (jobId) => scale.workerOf(jobId) : undefined);
    this.sink = new JobObserver(timeline, this.jobMetrics, new JobLifecycleLog(logger.child({ component: 'jobs' })));
  }

  /** Counts the jobs already waiting or running (left by the last process, or by other nodes) before events arrive. */
  async start(): Promise<void> {
    const unfinished = await this.options.engine.list({ status: ['Pending', 'Running'], limit: 10_000 }).catch(() => []);
    this.jobMetrics.seed(unfinished);
  }

  traceRequests(app: FastifyInstance, prefix: string): void {
    traceRequests(app, prefix);
  }

  async registerRoutes(app: FastifyInstance, readiness: ReadinessChecks): Promise<void> {
    await app.register(metricsRoutes, { registry: this.registry });
    await app.register(healthRoutes, readiness);
  }
}
