import { type Job, type JobEngine, type JobEvent, type JobEventSink, type JobLogger, deliverToSinks } from '@tidings/jobs';
import type { VideoProgressUpdate } from '@tidings/contract';
import { videoProgress } from '../videos/video-progress.js';

/** A job event as plugins receive it, with lookups shared between them. */
export interface JobActivity {
  readonly event: JobEvent;
  /** The job's steps, in order, when it is a flow (a video pipeline); none otherwise. Read once, on first ask. */
  steps(): Promise<readonly Job[]>;
  /** The video's progress when the event is a video pipeline's (worked out once, on first ask). */
  video(): Promise<VideoProgressUpdate | undefined>;
}

export type JobActivityHandler = (activity: JobActivity) => Promise<void>;

/** Which job types' events a handler receives: the named ones, or every type. */
export type JobTypeRoute = readonly string[] | 'all';

interface Route {
  readonly name: string;
  readonly types: ReadonlySet<string> | 'all';
  readonly handler: JobActivityHandler;
}

/**
 * The one sink the engine feeds for the service's hubs: each event goes to
 * the handlers whose declared job types include the event's (explicit
 * routing: a plugin hears only its own types). Delivery is the jobs package's
 * (`deliverToSinks`): a handler that fails or hangs is logged and counted,
 * the others still get the event.
 */
export class JobEventRouter implements JobEventSink {
  readonly name = 'plugins';
  /** Handlers that failed or timed out, as the jobs package counts sink failures. */
  readonly metrics = { sinkFailures: 0 };
  private readonly routes: Route[] = [];
  /** The routes of each job type seen, worked out once per type instead of once per event. */
  private readonly routesByType = new Map<string, readonly Route[]>();

  constructor(
    private readonly engine: Pick<JobEngine, 'children'>,
    private readonly logger: JobLogger,
    private readonly timeoutMs = 30_000,
  ) {}

  add(name: string, types: JobTypeRoute, handler: JobActivityHandler): void {
    this.routes.push({ name, types: types === 'all' ? 'all' : new Set(types), handler });
    this.routesByType.clear();
  }

  /** Nothing to wait for (no promise, so no sink deadline) when no handler takes the event's type. */
  deliver(event: JobEvent): void | Promise<void> {
    const job = event.job;
    const matching = this.routesFor(job.type);
    if (matching.length === 0) return;
    let steps: Promise<readonly Job[]> | undefined;
    let video: Promise<VideoProgressUpdate | undefined> | undefined;
    const activity: JobActivity = {
      event,
      steps: () => (steps ??= job.steps ? this.engine.children(job.id) : Promise.resolve([])),
      video: () => (video ??= job.steps && job.subject !== null ? activity.steps().then((s) => videoProgress(job, s)) : Promise.resolve(undefined)),
    };
    const sinks = matching.map((route) => ({ name: route.name, deliver: () => route.handler(activity) }));
    return deliverToSinks(sinks, event, { timeoutMs: this.timeoutMs, logger: this.logger, metrics: this.metrics });
  }

  private routesFor(type: string): readonly Route[] {
    let routes = this.routesByType.get(type);
    if (!routes) {
      routes = this.routes.filter((route) => route.types === 'all' || route.types.has(type));
      this.routesByType.set(type, routes);
    }
    return routes;
  }
}
