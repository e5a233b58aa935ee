import { randomUUID } from 'node:crypto';
import { type HubLogger, consoleLogger } from '@tidings/hub';
import { type Job, type JobDelta, type JobEvent, type JobEventKind, type JobFilter, type JobOutputItem, type JobStatus, type JobStore, isDeltaKind, isTerminal, jobDelta, withDelta } from '@tidings/jobs';
import type { Redis, RedisOptions } from 'ioredis';
import { RedisLink, type RedisSource } from '@tidings/redis/link';
import { INDEXED_FIELDS, JobKeys } from './job-keys.js';
import { JobWriteRejectedError, type RejectionReason } from './job-write-rejected.js';
import { APPEND_EVENTS, INSERT_JOBS, LIST_JOBS, SAVE_JOB } from './store-scripts.js';
import { type StoredDelta, type StoredEvent, eventWithBase, parseJob, storedEventFromFields } from './stored-event.js';

export { eventFromFeedEntry } from './stored-event.js';

export interface RedisJobStoreOptions {
  /** A Redis URL, ioredis options, or an ioredis client (duplicated; you keep and close yours). */
  readonly redis: RedisSource;
  readonly redisOptions?: RedisOptions;
  /** Prefix of every key; every process of one deployment uses the same. Default `tidings`. */
  readonly prefix?: string;
  /** Events kept per job (older ones are trimmed, approximately). Default 1000. */
  readonly historyLength?: number;
  /** Entries kept in the feed API nodes tail (approximately). Default 10 000. */
  readonly feedLength?: number;
  /** How long the first connection may take. Default 10 s. */
  readonly connectTimeoutMs?: number;
  /** A command without a reply after this long fails. Default 10 s. */
  readonly commandTimeoutMs?: number;
  /** Told of every write the fence refused (a worker stops the attempt that made it). */
  readonly onWriteRejected?: (error: JobWriteRejectedError) => void;
  readonly logger?: HubLogger;
}

/** Where a job's latest event sits in the cluster feed. */
export interface FeedPosition {
  readonly sequence: number;
  /** The feed entry id of that event ('0-0' before any). */
  readonly feedId: string;
}

/** An event waiting for the turn's append call. */
interface PendingAppend {
  readonly job: Job;
  readonly kind: JobEventKind;
  readonly at: string;
  readonly output: JobOutputItem | undefined;
  readonly args: (string | number)[];
  readonly resolve: (event: JobEvent) => void;
  readonly reject: (error: unknown) => void;
}

/** At most this many events in one script run, so one call never holds Redis long. */
const MAX_APPENDS_PER_CALL = 256;

/** Jobs remembered as ready for delta events; one forgotten has its next event stored whole. */
const MAX_DELTA_READY_JOBS = 50_000;

type Commands = Redis & {
  tidingsInsertJobs(...args: (string | number)[]): Promise<number | ['existing', string]>;
  tidingsAppendEvents(...args: (string | number)[]): Promise<[number, string?, string?][]>;
  tidingsSaveJob(...args: (string | number)[]): Promise<number | [number, string, string]>;
  tidingsListJobs(numberOfKeys: number, ...args: (string | number)[]): Promise<string[]>;
};

/** An indexed value as the scripts expect it: '' for null, '=' + value otherwise. */
function encoded(value: string | null): string {
  return value === null ? '' : `=${value}`;
}

function indexedValues(job: Job): string[] {
  const values: Record<(typeof INDEXED_FIELDS)[number], string | null> = {
    status: job.status,
    owner: job.ownerId,
    subject: job.subject,
    type: job.type,
    parent: job.parentId,
  };
  return INDEXED_FIELDS.map((field) => encoded(values[field]));
}

/** The job's stored state: its data with the latest delta over it (the hash keeps one when deltas came after data). */
function currentJob(data: string, sequence: string | number, delta: string | null | undefined): Job {
  const job = parseJob(data, sequence);
  return delta ? withDelta(job, JSON.parse(delta) as JobDelta, job.lastSequence) : job;
}

/**
 * Jobs and their event history in Redis, for several processes at once (API
 * nodes and workers): each job a hash, its history a stream trimmed to
 * `historyLength`, sorted-set indexes for listings, and one feed stream of
 * every event that API nodes tail to deliver them.
 *
 * `appendEvent` is one Lua script run per turn (the turn's events, each on
 * its own): the next sequence, the job's new state, the history entry and
 * the feed entry are written together, so sequences have no gaps and the
 * feed carries each job's events in sequence order, whichever process wrote
 * them. Writes are fenced (see store-scripts.ts): an
 * attempt that was superseded, or a job settled elsewhere, cannot be
 * overwritten; such a write fails with a JobWriteRejectedError.
 */
export class RedisJobStore implements JobStore {
  readonly keys: JobKeys;
  private readonly link: RedisLink;
  private readonly commands: Commands;
  private readonly historyLength: number;
  private readonly feedLength: number;
  private readonly onWriteRejected: ((error: JobWriteRejectedError) => void) | undefined;
  private appends: PendingAppend[] = [];
  /**
   * Jobs whose progress, stage and output events may be stored as deltas:
   * this store has stored a whole event of the job, and has not saved it
   * since. Any other event is stored whole — the job's first here (it may
   * carry what the job's stored state lacks) and the first after a save (a
   * checkpoint), so the jobs the history and the feed rebuild from the last
   * whole event carry everything but what deltas change. Saves and events of
   * a job come from the process holding it. Oldest first, bounded.
   */
  private readonly deltaReady = new Set<string>();

  constructor(options: RedisJobStoreOptions) {
    const logger = options.logger ?? consoleLogger;
    this.keys = new JobKeys(options.prefix ?? 'tidings');
    this.historyLength = positiveInteger('historyLength', options.historyLength, 1000);
    this.feedLength = positiveInteger('feedLength', options.feedLength, 10_000);
    this.onWriteRejected = options.onWriteRejected;
    // A cut-off write is never resent: Redis may have run it already, and a second run would store the event twice.
    this.link = new RedisLink(
      'job-store',
      options.redis,
      options.redisOptions ?? {},
      { enableAutoPipelining: true, autoResendUnfulfilledCommands: false, commandTimeout: options.commandTimeoutMs ?? 10_000 },
      logger,
      options.connectTimeoutMs ?? 10_000,
    );
    const client = this.link.client;
    client.defineCommand('tidingsInsertJobs', { numberOfKeys: 0, lua: INSERT_JOBS });
    client.defineCommand('tidingsAppendEvents', { numberOfKeys: 0, lua: APPEND_EVENTS });
    client.defineCommand('tidingsSaveJob', { numberOfKeys: 0, lua: SAVE_JOB });
    client.defineCommand('tidingsListJobs', { lua: LIST_JOBS });
    this.commands = client as Commands;
  }

  /** Redis is reachable now. */
  get connected(): boolean {
    return this.link.isReady;
  }

  /** Resolves once Redis is reachable (bounded by `connectTimeoutMs`). */
  ready(): Promise<void> {
    return this.link.usable();
  }

  async insertJobs(jobs: readonly Job[]): Promise<void> {
    if (jobs.length === 0) return;
    const existing = await this.insert(jobs);
    if (existing) throw new Error(`Cannot insert job '${jobs[0]!.id}': its idempotency key was used for job '${existing}'.`);
  }

  async insertJob(job: Job): Promise<Job | undefined> {
    const existing = await this.insert([job]);
    if (existing === undefined) return undefined;
    const earlier = await this.getJob(existing);
    if (!earlier) throw new Error(`Job '${existing}', created with the same idempotency key, has disappeared.`);
    return earlier;
  }

  /** Runs the insert script; the id of the job an idempotency scope was used for, if one was. */
  private async insert(jobs: readonly Job[]): Promise<string | undefined> {
    const args: (string | number)[] = [this.keys.base, jobs.length];
    for (const job of jobs) {
      const scope = job.idempotencyKey === null ? '' : JSON.stringify([job.ownerId, job.idempotencyKey]);
      args.push(job.id, JSON.stringify(job), ...indexedValues(job), job.retryCount, job.attempt, scope, JSON.stringify(job.tags));
    }
    const reply = await (await this.client()).tidingsInsertJobs(...args).catch((error: unknown) => {
      if (error instanceof Error && error.message.startsWith('EXISTS')) throw new Error(`Cannot insert job '${error.message.slice(7)}': it is already in the store.`);
      throw error;
    });
    return Array.isArray(reply) ? reply[1] : undefined;
  }

  async getJob(id: string): Promise<Job | undefined> {
    const [data, sequence, delta] = await (await this.client()).hmget(this.keys.job(id), 'data', 'seq', 'delta');
    return data ? currentJob(data, sequence ?? 0, delta) : undefined;
  }

  /** The job's status alone (undefined for an unknown job): what a worker checks after each attempt, without reading the job. */
  async statusOf(id: string): Promise<JobStatus | undefined> {
    const status = await (await this.client()).hget(this.keys.job(id), 'status');
    return status ? (status.slice(1) as JobStatus) : undefined;
  }

  async listJobs(filter: JobFilter): Promise<Job[]> {
    const limit = filter.limit ?? -1;
    if (limit === 0) return [];
    const offset = filter.offset ?? 0;
    const statusKeys = (filter.status ?? []).map((s) => this.keys.index('status', s)!);
    const otherKeys: string[] = [];
    const add = (key: string | undefined) => key !== undefined && otherKeys.push(key);
    if (filter.ownerId !== undefined) add(this.keys.index('owner', filter.ownerId));
    if (filter.type !== undefined) add(this.keys.index('type', filter.type));
    if (filter.subject !== undefined) add(this.keys.index('subject', filter.subject));
    if (filter.tag !== undefined) add(this.keys.tag(filter.tag));
    if (filter.parentId !== undefined) add(this.keys.index('parent', filter.parentId));
    if (statusKeys.length === 0 && otherKeys.length === 0) otherKeys.push(this.keys.all);
    const keys = [this.keys.temporary(randomUUID()), ...statusKeys, ...otherKeys];
    const stop = limit < 0 ? -1 : offset + limit - 1;
    const flat = await (await this.client()).tidingsListJobs(keys.length, ...keys, this.keys.base, statusKeys.length, otherKeys.length, offset, stop);
    const jobs: Job[] = [];
    for (let i = 0; i + 2 < flat.length; i += 3) jobs.push(currentJob(flat[i]!, flat[i + 1]!, flat[i + 2]));
    return jobs;
  }

  async saveJob(job: Job): Promise<void> {
    const reply = await (await this.client()).tidingsSaveJob(
      this.keys.base,
      job.id,
      JSON.stringify(job),
      ...indexedValues(job),
      job.retryCount,
      job.attempt,
    ).catch((error: unknown) => rethrowNotFound(error, `Cannot save job '${job.id}': it is not in the store.`));
    if (Array.isArray(reply)) this.rejected(job.id, reply[1] as RejectionReason, reply[2]);
    this.deltaReady.delete(job.id);
  }

  /**
   * Resolves once the event is written. The events of one turn (a worker's
   * jobs reporting at once) go to Redis in one script call, in the order
   * they were appended; each is fenced and sequenced on its own.
   */
  appendEvent(job: Job, kind: JobEventKind, at: string, output?: JobOutputItem): Promise<JobEvent> {
    const outputJson = output === undefined ? '' : JSON.stringify(output);
    let args: (string | number)[];
    if (isDeltaKind(kind) && this.deltaReady.has(job.id)) {
      args = [job.id, kind, at, JSON.stringify(jobDelta(job)), job.retryCount, job.attempt, outputJson, 'd'];
    } else {
      this.deltaReady.delete(job.id);
      // A settled job has no more deltas (only a retry, stored whole).
      if (!isTerminal(job.status)) {
        this.deltaReady.add(job.id);
        if (this.deltaReady.size > MAX_DELTA_READY_JOBS) this.deltaReady.delete(this.deltaReady.values().next().value!);
      }
      args = [job.id, kind, at, JSON.stringify(job), job.retryCount, job.attempt, outputJson, 'w', ...indexedValues(job)];
    }
    return new Promise<JobEvent>((resolve, reject) => {
      this.appends.push({ job, kind, at, output, args, resolve, reject });
      if (this.appends.length === 1) setImmediate(this.flushAppends);
    });
  }

  private readonly flushAppends = (): void => {
    const waiting = this.appends;
    this.appends = [];
    for (let i = 0; i < waiting.length; i += MAX_APPENDS_PER_CALL) void this.appendBatch(waiting.slice(i, i + MAX_APPENDS_PER_CALL));
  };

  private async appendBatch(batch: readonly PendingAppend[]): Promise<void> {
    let replies: [number, string?, string?][];
    try {
      const args: (string | number)[] = [this.keys.base, this.historyLength, this.feedLength, batch.length];
      for (const append of batch) for (const arg of append.args) args.push(arg);
      replies = await (await this.client()).tidingsAppendEvents(...args);
    } catch (error) {
      for (const append of batch) append.reject(error);
      return;
    }
    batch.forEach((append, i) => {
      const { job, kind, at, output } = append;
      const [sequence, reason, storedStatus] = replies[i]!;
      try {
        if (sequence === -1) throw new Error(`Cannot record an event for job '${job.id}': it is not in the store.`);
        if (sequence === 0) this.rejected(job.id, reason as RejectionReason, storedStatus);
      } catch (error) {
        append.reject(error);
        return;
      }
      const event: JobEvent = { jobId: job.id, sequence, kind, at, job: { ...job, lastSequence: sequence } };
      append.resolve(output === undefined ? event : { ...event, output });
    });
  }

  /** Rebuilds each delta event's job from the whole entry it was stored after (see `baseOf`). */
  async listEvents(jobId: string, after: number, limit: number): Promise<JobEvent[]> {
    if (limit <= 0) return [];
    const entries = (await (await this.client()).xrange(this.keys.events(jobId), `${after + 1}-0`, '+', 'COUNT', limit)) as [string, string[]][];
    const events: JobEvent[] = [];
    // The base the deltas that follow apply to: the page's last whole entry, or the one fetched for them.
    let base: { sequence: number; job: Job | undefined } | undefined;
    for (const [id, flat] of entries) {
      const stored = storedEventFromFields(jobId, Number(id.slice(0, id.indexOf('-'))), flat);
      if (stored.job) base = { sequence: stored.sequence, job: stored.job };
      else if (base?.sequence !== stored.base) base = { sequence: stored.base, job: await this.baseOf(stored) };
      events.push(eventWithBase(stored, stored.job ? undefined : base!.job));
    }
    return events;
  }

  /** The job's event `sequence` as stored in its history (undefined once trimmed). */
  async eventAt(jobId: string, sequence: number): Promise<JobEvent | undefined> {
    const stored = await this.storedEventAt(jobId, sequence);
    if (!stored) return undefined;
    return eventWithBase(stored, stored.job ? undefined : await this.baseOf(stored));
  }

  /**
   * The job as of a delta event's base: that whole entry of its history, or
   * — when the job had no whole event before it, or the history was trimmed
   * past it — the job's stored data (its latest whole state, the best left).
   */
  async baseOf(delta: StoredDelta): Promise<Job | undefined> {
    const whole = delta.base ? await this.storedEventAt(delta.jobId, delta.base) : undefined;
    if (whole?.job) return whole.job;
    const [data, sequence] = await (await this.client()).hmget(this.keys.job(delta.jobId), 'data', 'wseq');
    return data ? parseJob(data, sequence ?? 0) : undefined;
  }

  private async storedEventAt(jobId: string, sequence: number): Promise<StoredEvent | undefined> {
    const [entry] = (await (await this.client()).xrange(this.keys.events(jobId), `${sequence}-0`, `${sequence}-0`)) as [string, string[]][];
    return entry ? storedEventFromFields(jobId, sequence, entry[1]) : undefined;
  }

  /** Where the job's latest event sits in the feed; undefined for an unknown job. */
  async feedPosition(jobId: string): Promise<FeedPosition | undefined> {
    const [sequence, feedId] = await (await this.client()).hmget(this.keys.job(jobId), 'seq', 'feed');
    if (sequence === null) return undefined;
    return { sequence: Number(sequence), feedId: feedId ?? '0-0' };
  }

  async close(): Promise<void> {
    await this.link.close();
  }

  private async client(): Promise<Commands> {
    await this.link.usable();
    return this.commands;
  }

  private rejected(jobId: string, reason: RejectionReason, storedStatus: string | undefined): never {
    const error = new JobWriteRejectedError(jobId, reason, storedStatus ?? 'unknown');
    this.onWriteRejected?.(error);
    throw error;
  }
}

function rethrowNotFound(error: unknown, message: string): never {
  if (error instanceof Error && error.message.startsWith('NOTFOUND')) throw new Error(message);
  throw error;
}

function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`@tidings/redis: '${name}' must be a positive integer, got ${String(value)}.`);
  return value;
}
