import type { HubServer } from '@tidings/hub';
import { JOB_STATUSES, type JobEngine, type JobEvent, type JobStatus } from '@tidings/jobs';
import { RedisHubLifetimeManager } from '@tidings/redis';
import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import type { AuthService } from '../../auth/auth-service.js';
import type { ScaledMode } from '../../scale/scaled-mode.js';
import { identifyRequests } from '../plugin-guards.js';
import { errorResponses } from '../schemas.js';

export interface StatsRouteOptions {
  readonly engine: JobEngine;
  readonly hubs: HubServer;
  readonly auth: AuthService;
  readonly scale: ScaledMode | undefined;
  /** The registry `/metrics` serves: connections per transport are read from its `signalr_server_active_connections`. */
  readonly registry?: Registry;
}

/** The hub series the connections per transport come from (one source with `/metrics`). */
const ACTIVE_CONNECTIONS = 'signalr_server_active_connections';

/** Connections open on this node by hub path and transport, as `/metrics` reports them. */
async function connectionsByTransport(registry: Registry | undefined): Promise<Map<string, Record<string, number>>> {
  const byHub = new Map<string, Record<string, number>>();
  const metric = registry?.getSingleMetric(ACTIVE_CONNECTIONS);
  if (!metric) return byHub;
  for (const { labels, value } of (await metric.get()).values) {
    const hub = String(labels.hub ?? '');
    const transport = String(labels.signalr_transport ?? 'unknown');
    if (value <= 0) continue;
    const counts = byHub.get(hub) ?? {};
    counts[transport] = (counts[transport] ?? 0) + value;
    byHub.set(hub, counts);
  }
  return byHub;
}

const MINUTE_MS = 60_000;
/** The chart's window: the last hour, by minute. */
const MINUTES = 60;
/** Jobs counted per status at most (a count at the cap is shown as "at least"). */
const COUNT_CAP = 10_000;
/** Finished jobs read at start to fill the last hour's minutes (newest first). */
const SEED_LIMIT = 2_000;

interface Minute {
  completed: number;
  failed: number;
  /** Jobs whose first attempt started in this minute, and their summed wait in the queue. */
  started: number;
  waitMs: number;
}

/**
 * The last hour of job activity by minute, counted from job events as a
 * Prometheus counter of them would be: one `completed` or `failed` event per
 * job that finished so (pipeline steps included: they are jobs), and each
 * job's wait from creation to its first `started` event. Filled at start from
 * the store (jobs finished in the last hour), then kept by the engine's events.
 */
class JobActivity {
  private readonly minutes = new Map<number, Minute>();
  /** Job types seen in the store or in events: a flow's own type (VideoProcessing) has no processor to list it. */
  readonly types = new Set<string>();

  constructor(private readonly now: () => number) {}

  readonly sink = {
    deliver: (event: JobEvent): void => {
      this.types.add(event.job.type);
      if (event.kind === 'completed' || event.kind === 'failed') {
        this.minute(Date.parse(event.at))[event.kind]++;
      } else if (event.kind === 'started' && event.job.retryCount === 0) {
        const at = Date.parse(event.at);
        const minute = this.minute(at);
        minute.started++;
        minute.waitMs += Math.max(0, at - Date.parse(event.job.createdAt));
      }
    },
  };

  async seed(engine: JobEngine): Promise<void> {
    const since = this.now() - MINUTES * MINUTE_MS;
    const finished = await engine.list({ status: ['Completed', 'Failed'], limit: SEED_LIMIT });
    for (const job of [...finished, ...(await engine.list({ parentId: null, limit: SEED_LIMIT }))]) this.types.add(job.type);
    for (const job of finished) {
      const at = job.finishedAt ? Date.parse(job.finishedAt) : NaN;
      if (at >= since) this.minute(at)[job.status === 'Completed' ? 'completed' : 'failed']++;
    }
  }

  /** The last hour, oldest minute first; the last entry is the minute now running. */
  lastHour(): { at: string; completed: number; failed: number }[] {
    const current = Math.floor(this.now() / MINUTE_MS);
    for (const key of this.minutes.keys()) if (key <= current - MINUTES) this.minutes.delete(key);
    const out = [];
    for (let m = current - MINUTES + 1; m <= current; m++) {
      const minute = this.minutes.get(m);
      out.push({ at: new Date(m * MINUTE_MS).toISOString(), completed: minute?.completed ?? 0, failed: minute?.failed ?? 0 });
    }
    return out;
  }

  /** Mean wait in the queue of the jobs first started in the last hour, or null when none did. */
  meanWaitMs(): number | null {
    let started = 0;
    let waitMs = 0;
    const oldest = Math.floor(this.now() / MINUTE_MS) - MINUTES;
    for (const [key, minute] of this.minutes) {
      if (key <= oldest) continue;
      started += minute.started;
      waitMs += minute.waitMs;
    }
    return started > 0 ? Math.round(waitMs / started) : null;
  }

  private minute(at: number): Minute {
    const key = Math.floor(at / MINUTE_MS);
    let minute = this.minutes.get(key);
    if (!minute) {
      minute = { completed: 0, failed: 0, started: 0, waitMs: 0 };
      this.minutes.set(key, minute);
    }
    return minute;
  }
}

const count = { type: 'integer', minimum: 0 } as const;
const nullableTime = { type: ['string', 'null'], format: 'date-time' } as const;
const strictObject = <P extends Record<string, unknown>>(properties: P) =>
  ({ type: 'object', additionalProperties: false, required: Object.keys(properties), properties }) as const;

const statsSchema = strictObject({
  at: { type: 'string', format: 'date-time' },
  jobs: strictObject({
    byStatus: strictObject(Object.fromEntries(JOB_STATUSES.map((s) => [s, count])) as Record<JobStatus, typeof count>),
    capped: { type: 'boolean', description: `True when a status has ${COUNT_CAP} jobs or more (counts stop there).` },
    types: { type: 'array', items: { type: 'string' } },
  }),
  throughput: strictObject({
    minuteMs: count,
    minutes: { type: 'array', items: strictObject({ at: { type: 'string', format: 'date-time' }, completed: count, failed: count }) },
  }),
  queue: strictObject({
    running: count,
    queued: count,
    delayed: count,
    oldestWaitingMs: { type: ['integer', 'null'] },
    meanWaitMs: { type: ['integer', 'null'] },
  }),
  events: strictObject({ stored: count, sinkFailures: count }),
  hubs: {
    type: 'array',
    items: strictObject({
      path: { type: 'string' },
      connections: count,
      transports: {
        type: 'object',
        description: 'Connections by transport (web_sockets, server_sent_events, long_polling), from /metrics',
        additionalProperties: count,
      },
    }),
  },
  cluster: {
    type: ['object', 'null'],
    additionalProperties: false,
    required: ['nodeId', 'nodes', 'workers'],
    properties: {
      nodeId: { type: 'string' },
      nodes: {
        type: 'array',
        items: strictObject({ nodeId: { type: 'string' }, lastHeartbeatAt: nullableTime, connections: count }),
      },
      workers: { type: 'array', items: strictObject({ name: { type: 'string' }, lastSeenAt: nullableTime }) },
    },
  },
});

/**
 * `GET /api/v1/stats`: the operators' overview in one read — jobs by status,
 * completed/failed per minute over the last hour, the queue, hub connections,
 * and in scaled mode the API nodes and workers with their last heartbeat.
 * Authenticated as the jobs list is; the numbers are the whole service's.
 */
export async function statsRoutes(app: FastifyInstance, options: StatsRouteOptions): Promise<void> {
  const { engine, hubs, scale } = options;
  identifyRequests(app, options.auth);
  const activity = new JobActivity(Date.now);
  await activity.seed(engine);
  engine.addSink(activity.sink);

  const countStatus = async (status: JobStatus) => (await engine.list({ status: [status], limit: COUNT_CAP })).length;

  async function oldestWaitingMs(now: number): Promise<number | null> {
    // Newest first: the last of the pending jobs is the one waiting longest.
    const pending = await engine.list({ status: ['Pending'], limit: COUNT_CAP });
    const oldest = pending.at(-1);
    return oldest ? Math.max(0, now - Date.parse(oldest.createdAt)) : null;
  }

  async function cluster(mode: ScaledMode) {
    const nodes = new Map<string, { nodeId: string; lastHeartbeatAt: string | null; connections: number }>();
    for (const path of hubs.paths) {
      const manager = hubs.endpoint(path)?.lifetimeManager;
      if (!(manager instanceof RedisHubLifetimeManager)) continue;
      for (const node of await manager.presence.getNodes()) {
        const seen = nodes.get(node.nodeId) ?? { nodeId: node.nodeId, lastHeartbeatAt: null, connections: 0 };
        const beat = node.lastHeartbeatAt.toISOString();
        seen.lastHeartbeatAt = seen.lastHeartbeatAt && seen.lastHeartbeatAt > beat ? seen.lastHeartbeatAt : beat;
        seen.connections += node.connections;
        nodes.set(node.nodeId, seen);
      }
    }
    // BullMQ lists its workers' Redis connections (`rawname` ends with `:w:<worker name>`, the node id) and how long each has been idle.
    const now = Date.now();
    const workers = new Map<string, { name: string; lastSeenAt: string | null }>();
    for (const client of await mode.cluster.queue.queue.getWorkers()) {
      const raw = client.rawname ?? '';
      const marker = raw.indexOf(':w:');
      const name = marker >= 0 ? raw.slice(marker + 3) : '(unnamed worker)';
      const idle = Number(client.idle);
      const lastSeenAt = Number.isFinite(idle) ? new Date(now - idle * 1000).toISOString() : null;
      const seen = workers.get(name);
      if (!seen || (lastSeenAt !== null && (seen.lastSeenAt === null || lastSeenAt > seen.lastSeenAt))) workers.set(name, { name, lastSeenAt });
    }
    return { nodeId: mode.cluster.nodeId, nodes: [...nodes.values()], workers: [...workers.values()] };
  }

  app.get(
    '/stats',
    {
      schema: {
        tags: ['service'],
        summary: "The operators' overview: jobs by status, the last hour by minute, the queue, connections, nodes",
        response: { 200: statsSchema, 401: errorResponses[401] },
      },
    },
    async () => {
      const now = Date.now();
      const counts = await Promise.all(JOB_STATUSES.map(countStatus));
      const runner = scale ? await scale.cluster.queue.refreshStats() : engine.metrics;
      const metrics = engine.metrics;
      const transports = await connectionsByTransport(options.registry);
      return {
        at: new Date(now).toISOString(),
        jobs: {
          byStatus: Object.fromEntries(JOB_STATUSES.map((s, i) => [s, counts[i]!])),
          capped: counts.some((n) => n >= COUNT_CAP),
          types: [...new Set([...engine.types, ...activity.types])].sort(),
        },
        throughput: { minuteMs: MINUTE_MS, minutes: activity.lastHour() },
        queue: {
          running: runner.running,
          queued: runner.queued,
          delayed: runner.delayed,
          oldestWaitingMs: await oldestWaitingMs(now),
          meanWaitMs: activity.meanWaitMs(),
        },
        events: { stored: metrics.eventsStored, sinkFailures: metrics.sinkFailures },
        hubs: hubs.paths.map((path) => ({
          path,
          connections: hubs.endpoint(path)?.connectionCount ?? hubs.connectionEndpoint(path)?.connectionCount ?? 0,
          transports: transports.get(path) ?? {},
        })),
        cluster: scale ? await cluster(scale) : null,
      };
    },
  );
}
