import type { Job, JobEvent, JobStatus } from '@tidings/jobs';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { JobMoment } from './job-timeline.js';

export interface JobMetricsOptions {
  readonly registry: Registry;
  /**
   * Scaled mode: finished jobs and run times get a `worker` label (the node id
   * of the worker that ran the job). Off on one machine, where there is one.
   */
  readonly workerLabel?: boolean;
  /** The job types the engine runs; any other type is counted as `other`, so a label cannot grow without bound. */
  readonly knownTypes: () => readonly string[];
  /** Failed sink deliveries so far (the engine's and the plugins' router's), read at each scrape. */
  readonly sinkFailures?: () => number;
  /** Failed event writes so far (the engine's), read at each scrape. */
  readonly storeFailures?: () => number;
}

const WAIT_BUCKETS = [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 3600];
const RUN_BUCKETS = [0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 120, 300, 900, 1800, 3600, 7200];
const UNFINISHED: readonly JobStatus[] = ['Pending', 'Running'];

/**
 * Prometheus series of the jobs, kept from their events (BullMQ's per-queue
 * counts and Hangfire's succeeded/failed graph, for tidings): jobs waiting
 * and running, finished jobs by outcome, queue wait and run time by type,
 * events by kind, retries, recoveries, sink and store failures.
 *
 * Labels are bounded: job types the engine knows, statuses, event kinds,
 * worker node ids — never job ids or owners.
 */
export class JobMetrics {
  private readonly events: Counter<'kind'>;
  private readonly finished: Counter<string>;
  private readonly wait: Histogram<'type'>;
  private readonly run: Histogram<string>;
  private readonly retries: Counter<'type' | 'trigger'>;
  private readonly recoveries: Counter<'type'>;
  /** Unfinished jobs this node has seen, with their type and status (bounded), for the gauge. */
  private readonly unfinished = new Map<string, { type: string; status: JobStatus }>();
  private readonly workerLabel: boolean;

  constructor(private readonly options: JobMetricsOptions) {
    const registry = options.registry;
    const registers = [registry];
    this.workerLabel = options.workerLabel ?? false;
    const worker = this.workerLabel ? ['worker'] : [];
    this.events = new Counter({ name: 'tidings_job_events_total', help: 'Job events stored and delivered, by kind (rate() gives events per second)', labelNames: ['kind'], registers });
    this.finished = new Counter({
      name: 'tidings_jobs_finished_total',
      help: 'Jobs that reached Completed, Failed or Cancelled, by type and status',
      labelNames: ['type', 'status', ...worker],
      registers,
    });
    this.wait = new Histogram({
      name: 'tidings_job_queue_wait_seconds',
      help: 'Time from a job being ready to run (created, or its delay or backoff over) to its start, per attempt, by type',
      labelNames: ['type'],
      buckets: WAIT_BUCKETS,
      registers,
    });
    this.run = new Histogram({
      name: 'tidings_job_run_duration_seconds',
      help: 'Time from a job first starting to it finishing (retries included), by type and final status',
      labelNames: ['type', 'status', ...worker],
      buckets: RUN_BUCKETS,
      registers,
    });
    this.retries = new Counter({
      name: 'tidings_job_retries_total',
      help: 'Retries: automatic after a failed attempt, or requested (POST /jobs/:id/retry), by type',
      labelNames: ['type', 'trigger'],
      registers,
    });
    this.recoveries = new Counter({
      name: 'tidings_job_recoveries_total',
      help: 'Jobs found running after a crash (or a dead worker) and re-queued or failed, by type',
      labelNames: ['type'],
      registers,
    });
    const unfinished = this.unfinished;
    new Gauge({
      name: 'tidings_jobs',
      help: 'Jobs waiting (Pending) or running (Running) now, by type',
      labelNames: ['type', 'status'],
      registers,
      collect() {
        this.reset();
        for (const status of UNFINISHED) for (const type of options.knownTypes()) this.set({ type, status }, 0);
        for (const job of unfinished.values()) this.inc({ type: job.type, status: job.status });
      },
    });
    countFromTotal(registry, 'tidings_job_sink_failures_total', 'Job event deliveries that failed or timed out (a hub surface or a plugin reaction); the job went on', options.sinkFailures);
    countFromTotal(registry, 'tidings_job_store_failures_total', 'Job events that could not be stored (the store was unreachable); their update was lost', options.storeFailures);
  }

  /** Jobs that were unfinished before this process saw any event of theirs (read from the store at start). */
  seed(jobs: readonly Job[]): void {
    for (const job of jobs) if (UNFINISHED.includes(job.status)) this.track(job);
  }

  record(event: JobEvent, moment: JobMoment): void {
    const { job, kind } = event;
    const type = this.type(job);
    this.events.inc({ kind });
    if (UNFINISHED.includes(job.status)) this.track(job);
    else this.unfinished.delete(job.id);
    if (moment.queueWaitSeconds !== undefined) this.wait.observe({ type }, moment.queueWaitSeconds);
    if (kind === 'retrying') this.retries.inc({ type, trigger: 'automatic' });
    if (kind === 'retried') this.retries.inc({ type, trigger: 'requested' });
    if (kind === 'recovered') this.recoveries.inc({ type });
    if (kind === 'completed' || kind === 'failed' || kind === 'cancelled') {
      const labels: Record<string, string> = { type, status: job.status };
      if (this.workerLabel) labels.worker = moment.worker ?? 'none';
      this.finished.inc(labels);
      if (moment.runSeconds !== undefined) this.run.observe(labels, moment.runSeconds);
    }
  }

  private track(job: Job): void {
    if (!this.unfinished.has(job.id) && this.unfinished.size >= 100_000) return; // bounded: past this, new jobs go uncounted
    this.unfinished.set(job.id, { type: this.type(job), status: job.status });
  }

  /** A type the engine runs, or a flow's parent (made by the service's code, never named by a client); else `other`. */
  private type(job: Pick<Job, 'type' | 'steps'>): string {
    return job.steps !== null || this.options.knownTypes().includes(job.type) ? job.type : 'other';
  }
}

/** A counter that follows a running total kept elsewhere (the engine's), brought up to date at each scrape. */
function countFromTotal(registry: Registry, name: string, help: string, read: (() => number) | undefined): void {
  let seen = 0;
  new Counter({
    name,
    help,
    registers: [registry],
    collect() {
      const now = read?.() ?? 0;
      if (now > seen) this.inc(now - seen);
      seen = now;
    },
  });
}
