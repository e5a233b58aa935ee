import type { HubLogger } from '@tidings/hub';
import { type Job, type JobEvent, type JobEventSink, type JobEvents, KeyedMutex, type SinkDelivery, deliverToSinks, isTerminal } from '@tidings/jobs';
import type { RedisOptions } from 'ioredis';
import { RedisLink, type RedisSource } from '@tidings/redis/link';
import type { RedisJobStore } from './redis-job-store.js';
import { type StoredDelta, type StoredWhole, eventFromFeedEntry, eventWithBase } from './stored-event.js';

export interface JobEventFeedOptions {
  readonly redis: RedisSource;
  readonly redisOptions?: RedisOptions;
  readonly store: RedisJobStore;
  readonly logger: HubLogger;
  /** How long one read waits for new entries. Default 2000 ms. */
  readonly blockMs?: number;
  /** Pause after a failed read (Redis away). Default 250 ms. */
  readonly retryDelayMs?: number;
  /** Jobs whose last delivered sequence, and last whole state, are remembered (for duplicates, gaps and deltas). Default 50 000. */
  readonly rememberedJobs?: number;
  /** Reading pauses while this many deliveries wait. Default 10 000. */
  readonly maxPendingDeliveries?: number;
  /** A sink slower than this with one event is counted as failed. Default 5000 ms. */
  readonly sinkTimeoutMs?: number;
  /** How long a snapshot waits for the feed to catch up with a job. Default 5000 ms. */
  readonly catchUpTimeoutMs?: number;
  readonly connectTimeoutMs?: number;
}

export interface FeedMetrics {
  delivered: number;
  duplicatesSkipped: number;
  gapsFilled: number;
  sinkFailures: number;
  readFailures: number;
}

type StreamReply = [string, [string, string[]][]][] | null;

/** Stream ids are `{ms}-{n}`; compares them numerically. */
function compareIds(a: string, b: string): number {
  const [am, an] = a.split('-').map(Number) as [number, number];
  const [bm, bn] = b.split('-').map(Number) as [number, number];
  return am - bm || an - bn;
}

/**
 * Tails the cluster feed (every job event, in the order the store wrote them)
 * and hands each event to this process's sinks — on an API node, the hub
 * surfaces, which send to the node's own connections. Per job, events are
 * delivered one at a time in sequence order and each exactly once: a
 * sequence already delivered is skipped, a gap (the feed trimmed past an
 * entry while this node was away) is filled from the job's history first.
 * After a Redis outage reading resumes where it stopped.
 *
 * `withJobState` runs a task between two deliveries of a job, at a point
 * where every event stored before the call has been delivered, with the job
 * as of the last one: what the task sends a new subscriber is followed by
 * exactly the later events. It is the Redis backend of JobEvents.
 */
export class JobEventFeed implements JobEvents {
  readonly metrics: FeedMetrics = { delivered: 0, duplicatesSkipped: 0, gapsFilled: 0, sinkFailures: 0, readFailures: 0 };
  private readonly link: RedisLink;
  private readonly store: RedisJobStore;
  private readonly sinks = new Set<JobEventSink>();
  private readonly chains = new KeyedMutex();
  /** Job id → last sequence delivered, least recently delivered first. */
  private readonly delivered = new Map<string, number>();
  /**
   * Job id → the job as of its last whole event read here: what the delta
   * events after it (progress, stage, output) apply to. Least recently
   * updated first; a job leaves it when it settles.
   */
  private readonly bases = new Map<string, { readonly sequence: number; readonly job: Job }>();
  private readonly options: Required<Omit<JobEventFeedOptions, 'redis' | 'redisOptions' | 'store' | 'logger' | 'sinkTimeoutMs' | 'connectTimeoutMs'>>;
  private readonly delivery: SinkDelivery;
  private readonly logger: HubLogger;
  private lastId: string | undefined;
  private positionWaiters: { id: string; resolve(): void }[] = [];
  private loop: Promise<void> | undefined;
  private stopped = false;
  private failing = false;

  constructor(options: JobEventFeedOptions) {
    const blockMs = options.blockMs ?? 2000;
    this.options = {
      blockMs,
      retryDelayMs: options.retryDelayMs ?? 250,
      rememberedJobs: options.rememberedJobs ?? 50_000,
      maxPendingDeliveries: options.maxPendingDeliveries ?? 10_000,
      catchUpTimeoutMs: options.catchUpTimeoutMs ?? 5000,
    };
    this.store = options.store;
    this.logger = options.logger;
    this.delivery = { timeoutMs: options.sinkTimeoutMs ?? 5000, logger: options.logger, metrics: this.metrics };
    this.link = new RedisLink('job-feed', options.redis, options.redisOptions ?? {}, { commandTimeout: blockMs + 10_000 }, options.logger, options.connectTimeoutMs ?? 10_000);
  }

  /** Reading and connected to Redis. */
  get reading(): boolean {
    return this.loop !== undefined && !this.stopped && this.link.isReady && !this.failing;
  }

  addSink(sink: JobEventSink): () => void {
    this.sinks.add(sink);
    return () => this.sinks.delete(sink);
  }

  /** Starts reading at the feed's current end: what was stored before is history, not news. */
  async start(): Promise<void> {
    if (this.loop) return;
    await this.link.usable();
    this.lastId = await this.end();
    this.loop = this.read();
  }

  /**
   * Runs `task` between two of the job's deliveries from the feed, with the
   * job as of the last one (its stored state when none was delivered here).
   */
  withJobState<T>(jobId: string, task: (job: Job | undefined) => Promise<T>): Promise<T> {
    return this.atEventBoundary(jobId, async () => task(await this.stateAtBoundary(jobId)));
  }

  /**
   * Runs `task` between two of the job's deliveries, once every event of the
   * job stored before this call has been delivered. Rejects if the feed
   * cannot catch up within `catchUpTimeoutMs` (Redis away).
   */
  async atEventBoundary<T>(jobId: string, task: () => Promise<T>): Promise<T> {
    const position = await this.store.feedPosition(jobId);
    if (position && position.sequence > 0) await this.readPast(position.feedId);
    return this.chains.run(jobId, task);
  }

  /**
   * Inside `atEventBoundary`: the job as of the last event delivered here, or
   * its stored state when this process has delivered none of its events.
   */
  async stateAtBoundary(jobId: string): Promise<Job | undefined> {
    const sequence = this.delivered.get(jobId);
    if (sequence !== undefined) {
      const event = await this.store.eventAt(jobId, sequence);
      if (event) return event.job;
    }
    return this.store.getJob(jobId);
  }

  /** Stops reading and waits for the deliveries under way. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    // A blocked XREAD would hold a polite QUIT for up to blockMs: drop the socket at once.
    const closing = this.link.close();
    this.link.client.disconnect();
    await closing;
    await this.loop;
    await this.chains.idle();
    for (const waiter of this.positionWaiters) waiter.resolve();
    this.positionWaiters = [];
  }

  private async end(): Promise<string> {
    const [last] = (await this.link.client.xrevrange(this.store.keys.feed, '+', '-', 'COUNT', 1)) as [string, string[]][];
    return last?.[0] ?? '0-0';
  }

  private async read(): Promise<void> {
    while (!this.stopped) {
      try {
        await this.chains.below(this.options.maxPendingDeliveries);
        await this.link.usable();
        const reply = (await this.link.client.xread('COUNT', 1000, 'BLOCK', this.options.blockMs, 'STREAMS', this.store.keys.feed, this.lastId!)) as StreamReply;
        if (this.failing) this.logger.info({}, 'reading the job event feed again');
        this.failing = false;
        for (const [, entries] of reply ?? []) for (const [id, flat] of entries) this.accept(id, flat);
      } catch (error) {
        if (this.stopped) break;
        this.metrics.readFailures++;
        if (!this.failing) this.logger.warn({ error: (error as Error).message }, 'reading the job event feed failed; retrying');
        this.failing = true;
        await new Promise((resolve) => setTimeout(resolve, this.options.retryDelayMs));
      }
    }
  }

  private accept(id: string, flat: string[]): void {
    this.lastId = id;
    const stored = eventFromFeedEntry(flat);
    if (stored) {
      // Decoded in feed order, which is each job's sequence order: a delta's base, if read here, is known by now.
      const event = stored.job ? this.whole(stored) : this.withKnownBase(stored);
      if (event) void this.chains.run(stored.jobId, () => this.deliverInOrder(event));
      else void this.chains.run(stored.jobId, () => this.rebuild(stored as StoredDelta));
    } else this.logger.warn({ id }, 'skipped a malformed feed entry');
    this.releasePositionWaiters();
  }

  /** A whole event: it becomes the job's base (a settled job has no more deltas). */
  private whole(stored: StoredWhole): JobEvent {
    this.bases.delete(stored.jobId);
    if (!isTerminal(stored.job.status)) this.keepBase(stored.jobId, stored.sequence, stored.job);
    return eventWithBase(stored, undefined);
  }

  private withKnownBase(stored: StoredDelta): JobEvent | undefined {
    const base = this.bases.get(stored.jobId);
    return base?.sequence === stored.base ? eventWithBase(stored, base.job) : undefined;
  }

  /** A delta whose base was not read here (this node started after it): the base comes from the store. */
  private async rebuild(stored: StoredDelta): Promise<void> {
    let event = this.withKnownBase(stored);
    if (!event) {
      let base: Job | undefined;
      try {
        base = await this.store.baseOf(stored);
      } catch (error) {
        this.logger.warn({ jobId: stored.jobId, sequence: stored.sequence, error: (error as Error).message }, 'could not read the state a job event applies to');
      }
      if (!base) return;
      if ((this.bases.get(stored.jobId)?.sequence ?? -1) < stored.base) this.keepBase(stored.jobId, stored.base, base);
      event = eventWithBase(stored, base);
    }
    await this.deliverInOrder(event);
  }

  private keepBase(jobId: string, sequence: number, job: Job): void {
    this.bases.delete(jobId);
    this.bases.set(jobId, { sequence, job });
    if (this.bases.size > this.options.rememberedJobs) this.bases.delete(this.bases.keys().next().value!);
  }

  private async deliverInOrder(event: JobEvent): Promise<void> {
    const last = this.delivered.get(event.jobId);
    if (last !== undefined && event.sequence <= last) {
      this.metrics.duplicatesSkipped++;
      return;
    }
    if (last !== undefined && event.sequence > last + 1) await this.fillGap(event.jobId, last, event.sequence);
    await this.deliver(event);
  }

  private async fillGap(jobId: string, last: number, next: number): Promise<void> {
    let missing: JobEvent[] = [];
    try {
      missing = await this.store.listEvents(jobId, last, next - last - 1);
    } catch (error) {
      this.logger.warn({ jobId, from: last + 1, to: next - 1, error: (error as Error).message }, 'could not read the events this node missed');
    }
    for (const event of missing) {
      this.metrics.gapsFilled++;
      await this.deliver(event);
    }
  }

  private async deliver(event: JobEvent): Promise<void> {
    this.remember(event.jobId, event.sequence);
    this.metrics.delivered++;
    await deliverToSinks(this.sinks, event, this.delivery);
  }

  private remember(jobId: string, sequence: number): void {
    this.delivered.delete(jobId);
    this.delivered.set(jobId, sequence);
    if (this.delivered.size > this.options.rememberedJobs) this.delivered.delete(this.delivered.keys().next().value!);
  }

  /** Resolves once this reader has read the feed up to entry `id`. */
  private readPast(id: string): Promise<void> {
    if (this.lastId !== undefined && compareIds(this.lastId, id) >= 0) return Promise.resolve();
    if (this.stopped) return Promise.reject(new Error('The job event feed is stopped.'));
    return new Promise((resolve, reject) => {
      const waiter = { id, resolve: () => (clearTimeout(timer), resolve()) };
      const timer = setTimeout(() => {
        this.positionWaiters = this.positionWaiters.filter((w) => w !== waiter);
        reject(new Error(`The job event feed did not catch up within ${this.options.catchUpTimeoutMs} ms (is Redis reachable?).`));
      }, this.options.catchUpTimeoutMs);
      this.positionWaiters.push(waiter);
    });
  }

  private releasePositionWaiters(): void {
    if (this.positionWaiters.length === 0) return;
    const lastId = this.lastId!;
    const still: typeof this.positionWaiters = [];
    for (const waiter of this.positionWaiters) {
      if (compareIds(lastId, waiter.id) >= 0) waiter.resolve();
      else still.push(waiter);
    }
    this.positionWaiters = still;
  }
}
