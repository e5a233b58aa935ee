import { feedEventFromHistory } from './history.js';
import { type ClientLogger, describeError } from './logger.js';
import { type HistoryPage, type JobEvent, type JobFeedEvent, type JobOutput, type JobStatus, SequencedFeed, statusAfter } from '@tidings/contract';
import { TidingsApiError, type TidingsApi } from './rest-api.js';

/** What a job's feed needs from its client. */
export interface JobFeedHost {
  readonly api: TidingsApi;
  readonly logger: ClientLogger;
  readonly retryDelaysMs: readonly number[];
  /** Each of the job's events, once, in order, with the job's status before it. */
  emit(event: JobEvent, previousStatus: JobStatus | undefined): void;
  /** Each output item the job wrote, once, in the same order. */
  emitOutput(output: JobOutput): void;
}

/** A watcher's own view of a job: its own starting point, the job's events from there. */
export interface JobWatch {
  /** Resolves once the watcher is subscribed and has what it asked to replay; rejects if the job cannot be watched. */
  readonly ready: Promise<void>;
  /** Stops watching (the client unsubscribes when nobody else watches the job). */
  close(): void;
}

const PERMANENT_STATUSES = new Set([400, 401, 403, 404]);

function isRetryable(error: unknown): boolean {
  return !(error instanceof TidingsApiError && PERMANENT_STATUSES.has(error.status));
}

/**
 * One job as the client follows it: its live events merged with its stored
 * history into one gapless, duplicate-free sequence, delivered to the
 * client's listeners and to each watcher (which may start further back).
 */
export class JobFeed {
  /** `subscribeToJob` was called and not undone. */
  explicit = false;
  private readonly events: SequencedFeed<JobFeedEvent>;
  private latestEvent: JobEvent | undefined;
  private readonly watchers = new Set<SequencedFeed<JobFeedEvent>>();
  private readonly firstSubscription: { promise: Promise<void>; resolve(): void; reject(error: unknown): void };

  constructor(
    readonly jobId: string,
    private readonly host: JobFeedHost,
  ) {
    this.events = this.sequenced((event) => this.deliver(event));
    let resolve!: () => void;
    let reject!: (error: unknown) => void;
    const promise = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    promise.catch(() => undefined); // nobody may be waiting
    this.firstSubscription = { promise, resolve, reject };
  }

  /** Whether someone wants the job's events (so the client keeps it subscribed across reconnects). */
  get wanted(): boolean {
    return this.explicit || this.watchers.size > 0;
  }

  /** Settles with the first subscription: resolved once it has caught up, rejected if the job cannot be followed. */
  get subscribed(): Promise<void> {
    return this.firstSubscription.promise;
  }

  pushLive(event: JobFeedEvent): void {
    this.events.push(event);
  }

  /** Counts the job's events up to `after` as seen (unless the feed already has a starting point). */
  startAfter(after: number): void {
    this.events.startAfter(after);
  }

  /**
   * Joins the job's group on the current connection (`join`), holding live
   * events back meanwhile, then fetches what is stored after the last event
   * delivered — from the job's latest event on a first subscription without
   * a starting point — and only then releases the held events.
   */
  async subscribe(join: () => Promise<void>): Promise<void> {
    const release = this.events.hold();
    try {
      await join();
      if (this.events.lastSequence === undefined) {
        // The hub answers a subscription with the job's state, sequence N: start from event N itself.
        const heard = this.events.highestSeen;
        if (heard !== undefined) this.events.startAfter(heard - 1);
        else this.events.startAfter(Math.max(0, (await this.host.api.getJob(this.jobId)).sequence - 1)); // no state: REST says why
      }
      await this.events.catchUp();
      this.firstSubscription.resolve();
    } finally {
      release();
    }
  }

  /** The job cannot be followed (it is missing, or the client stopped): waiters reject, and the feed closes. */
  fail(error: unknown): void {
    this.firstSubscription.reject(error);
    this.explicit = false;
    this.close();
  }

  /**
   * Adds a watcher. Without `after` it starts with the latest event; with it,
   * it gets every stored event after that sequence first.
   */
  watch(handler: (event: JobEvent) => void, after: number | undefined, onEnd: () => void, onOutput?: (output: JobOutput) => void): JobWatch {
    const watcher = this.sequenced((event) => {
      try {
        // Output items pass through the watcher's feed too (so they are no gaps in it), to onOutput when given.
        if (event.type === 'JobOutput') onOutput?.(event.payload);
        else handler(event);
      } catch (error) {
        this.host.logger.error(`a watcher of job ${this.jobId} threw`, error);
      }
    }, after);
    this.watchers.add(watcher);
    let replayed: Promise<void> = Promise.resolve();
    if (after !== undefined) replayed = watcher.catchUp();
    else if (this.latestEvent) watcher.push(this.latestEvent);
    const ready = Promise.all([this.firstSubscription.promise, replayed]).then(() => undefined);
    ready.catch(() => undefined);
    return {
      ready,
      close: () => {
        if (!this.watchers.delete(watcher)) return;
        watcher.close();
        onEnd();
      },
    };
  }

  close(): void {
    this.events.close();
    for (const watcher of this.watchers) watcher.close();
    this.watchers.clear();
  }

  private deliver(event: JobFeedEvent): void {
    if (event.type === 'JobOutput') {
      this.host.emitOutput(event.payload);
    } else {
      const previous = this.latestEvent ? statusAfter(this.latestEvent) : undefined;
      this.latestEvent = event;
      this.host.emit(event, previous);
    }
    for (const watcher of this.watchers) watcher.push(event);
  }

  private sequenced(deliver: (event: JobFeedEvent) => void, after?: number): SequencedFeed<JobFeedEvent> {
    return new SequencedFeed<JobFeedEvent>(
      {
        fetchAfter: (from) => this.fetchAfter(from),
        deliver,
        isRetryable,
        onRetry: (error) => this.host.logger.warn(`catching up job ${this.jobId} failed (${describeError(error)}); retrying`),
        retryDelaysMs: this.host.retryDelaysMs,
      },
      after,
    );
  }

  private async fetchAfter(after: number): Promise<HistoryPage<JobFeedEvent>> {
    const page = await this.host.api.getJobEvents(this.jobId, after, 1000);
    return { events: page.events.map(feedEventFromHistory), lastSequence: page.lastSequence };
  }
}
