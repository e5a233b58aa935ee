import { type HttpTransportType, type HubConnection, HubConnectionBuilder, HubConnectionState } from '@microsoft/signalr';
import { type AccessTokenSource, resolveAccessToken } from './access-token.js';
import { ClientEvents } from './client-events.js';
import { JobFeed, type JobWatch } from './job-feed.js';
import { type ClientLogger, type LogLevelName, describeError, levelLogger, officialClientLogger } from './logger.js';
import {
  DEFAULT_RECONNECT_DELAYS_MS,
  JOB_PROGRESS_HUB_PATH,
  JOB_PROGRESS_METHODS as METHODS,
  cancellableDelay,
  reconnectDelay,
  type HubError,
  type Job,
  type JobCompleted,
  type JobEvent,
  type JobFailed,
  type JobOutput,
  type JobProgressUpdate,
  jobOutputEvent,
  type Notification,
  type VideoProgressUpdate,
  jobEvent,
} from '@tidings/contract';
import { TidingsApi, TidingsApiError } from './rest-api.js';
import type { IngestVideoRequest, IngestVideoResponse, JobListQuery } from './rest-types.js';
import { VideoFeed } from './video-feed.js';

export type ConnectionState = 'disconnected' | 'connecting' | 'connected' | 'reconnecting';

export interface JobProgressClientOptions {
  /** The service's origin, e.g. `http://localhost:5000`. Default in a browser: the page's origin. */
  readonly baseUrl?: string;
  /** Sent to the hub (accessTokenFactory) and the REST API (Authorization: Bearer). */
  readonly accessToken?: AccessTokenSource;
  /** Default `/hubs/job-progress`. */
  readonly hubPath?: string;
  /** Default: WebSockets, then Server-Sent Events, then long polling. */
  readonly transport?: HttpTransportType;
  /** The wait before each connection attempt after a drop (the first one included); the last repeats for ever. Default 0, 1, 2, 5, 10, 15 s (+≤20% jitter). */
  readonly reconnectDelaysMs?: readonly number[];
  /** Default: the console. */
  readonly logger?: ClientLogger;
  /** Default `warn`. */
  readonly logLevel?: LogLevelName;
  /** For the REST calls. Default: the global fetch. */
  readonly fetch?: typeof fetch;
}

export interface SubscribeOptions {
  /**
   * Replay stored events after this sequence first (0: the job's whole
   * history). Default: start with the job's latest event. Only applies when
   * the client has heard nothing of the job yet: once it has delivered some
   * of its events (subscribed, watched, or told through your user group) it
   * goes on from there. `watchJob` takes a starting point of its own.
   */
  readonly after?: number;
}

export interface WatchOptions extends SubscribeOptions {
  /** Called with each output item the job writes (`JobOutput`), in the job's sequence order with its events. */
  readonly onOutput?: (output: JobOutput) => void;
}

/** The client was stopped while a call waited for a connection. */
export class ClientStoppedError extends Error {
  override readonly name = 'ClientStoppedError';
  constructor() {
    super('The job-progress client was stopped.');
  }
}

/**
 * Seed 000 §6's `JobProgressClient` over `/hubs/job-progress`: typed events,
 * and a connection that looks after itself — it reconnects with backoff (for
 * ever, also after a server restart), subscribes again to every job and video
 * it follows, and fetches what it missed by `sequence`, so each job's events
 * arrive once, in order, without gaps.
 */
export class JobProgressClient {
  readonly api: TidingsApi;
  private readonly connection: HubConnection;
  private readonly logger: ClientLogger;
  private readonly retryDelaysMs: readonly number[];
  private readonly jobs = new Map<string, JobFeed>();
  private readonly videos = new Map<string, VideoFeed>();
  /** Tags followed with subscribeToTag: followed again on every connection. */
  private readonly tags = new Set<string>();
  private currentState: ConnectionState = 'disconnected';
  private wanted = false;
  private connecting: Promise<void> | undefined;
  private retryWait: { cancel(): void } | undefined;
  private readonly connectedWaiters = new Set<{ resolve(): void; reject(error: unknown): void }>();

  private readonly events: ClientEvents;

  constructor(options: JobProgressClientOptions = {}) {
    this.logger = levelLogger(options.logger ?? console, options.logLevel ?? 'warn');
    this.retryDelaysMs = options.reconnectDelaysMs ?? DEFAULT_RECONNECT_DELAYS_MS;
    const baseUrl = options.baseUrl ?? (globalThis as { location?: { origin?: string } }).location?.origin;
    if (baseUrl === undefined) throw new Error('JobProgressClient needs a baseUrl (such as http://localhost:5000) outside a browser.');
    this.api = new TidingsApi({ baseUrl, accessToken: options.accessToken, fetch: options.fetch });

    this.events = new ClientEvents((error) => this.logger.error('an event listener threw', error));

    const token = options.accessToken;
    this.connection = new HubConnectionBuilder()
      .withUrl(`${this.api.baseUrl}${options.hubPath ?? JOB_PROGRESS_HUB_PATH}`, {
        ...(options.transport === undefined ? {} : { transport: options.transport }),
        ...(token === undefined ? {} : { accessTokenFactory: async () => (await resolveAccessToken(token)) ?? '' }),
      })
      .configureLogging(officialClientLogger(this.logger))
      .build();
    this.wireHubEvents();
  }

  // ---- connection ------------------------------------------------------------------

  get state(): ConnectionState {
    return this.currentState;
  }

  get connectionId(): string | null {
    return this.connection.connectionId;
  }

  /**
   * Connects, retrying with backoff until it succeeds. Rejects only when the
   * service refuses the credentials (401/403: a TidingsApiError) or `stop()`
   * is called first.
   */
  start(): Promise<void> {
    this.wanted = true;
    if (this.currentState === 'connected') return Promise.resolve();
    return this.ensureConnecting(false);
  }

  /** Disconnects for good: subscriptions end, pending calls reject with ClientStoppedError. */
  async stop(): Promise<void> {
    this.endFollowing(new ClientStoppedError());
    await this.connection.stop(); // if it was connected, onclose has reported the close
    if (this.currentState !== 'disconnected') {
      this.setState('disconnected');
      this.events.closed.emit(undefined);
    }
  }

  /** Seed 000's name for `stop()`. */
  disconnect(): Promise<void> {
    return this.stop();
  }

  /** One connect loop at a time; it ends once connected, so a drop while re-subscribing starts the next. */
  private ensureConnecting(reconnecting: boolean): Promise<void> {
    if (!this.connecting) {
      const connecting = this.connectUntilConnected(reconnecting).finally(() => (this.connecting = undefined));
      this.connecting = connecting;
      connecting.then(
        () => this.connected(reconnecting),
        (error: unknown) => {
          // A refusal is news for onConnectionClosed, not a fault of the page: a warning.
          if (error instanceof TidingsApiError) this.logger.warn(`the service refused the credentials (${error.message}); stopped`);
          else if (reconnecting && !(error instanceof ClientStoppedError)) this.logger.error('gave up reconnecting', error);
        },
      );
    }
    return this.connecting;
  }

  /** Attempt n waits `reconnectDelaysMs[n]` first, except the first attempt of `start()`, which tries at once. */
  private async connectUntilConnected(reconnecting: boolean): Promise<void> {
    if (reconnecting) await this.pause(reconnectDelay(this.retryDelaysMs, 0));
    for (let attempt = 0; ; attempt++) {
      if (!this.wanted) throw new ClientStoppedError();
      this.setState(reconnecting ? 'reconnecting' : 'connecting');
      try {
        await this.connection.start();
        return;
      } catch (error) {
        if (!this.wanted) throw new ClientStoppedError();
        const refusal = await this.credentialsRefused();
        if (refusal) {
          this.endFollowing(refusal);
          this.setState('disconnected');
          this.events.closed.emit(refusal);
          throw refusal;
        }
        const delayMs = reconnectDelay(this.retryDelaysMs, attempt + 1);
        this.logger.warn(`cannot connect to ${this.api.baseUrl || 'the service'} (${describeError(error)}); next attempt in ${delayMs} ms`);
        await this.pause(delayMs);
      }
    }
  }

  /** Waits `ms` unless `stop()` comes first (then rejects with ClientStoppedError). */
  private async pause(ms: number): Promise<void> {
    if (ms === 0) return;
    const wait = cancellableDelay(ms);
    this.retryWait = wait;
    if (!(await wait.done)) throw new ClientStoppedError();
  }

  private async connected(reconnecting: boolean): Promise<void> {
    this.setState('connected');
    for (const waiter of this.connectedWaiters) waiter.resolve();
    this.connectedWaiters.clear();
    await this.resubscribeAll();
    if (reconnecting) this.events.reconnected.emit(this.connection.connectionId ?? undefined);
  }

  /** A failed connect may be the service refusing our token: ask the REST API, which says so plainly. */
  private async credentialsRefused(): Promise<TidingsApiError | undefined> {
    try {
      await this.api.listJobs({ limit: 1 });
      return undefined;
    } catch (error) {
      return error instanceof TidingsApiError && (error.status === 401 || error.status === 403) ? error : undefined;
    }
  }

  private connectionLost(error: Error | undefined): void {
    if (!this.wanted) {
      if (this.currentState === 'disconnected') return; // stop() has reported it
      this.setState('disconnected');
      this.events.closed.emit(error);
      return;
    }
    this.logger.info(`connection lost${error ? ` (${error.message})` : ''}; reconnecting`);
    this.setState('reconnecting');
    this.events.reconnecting.emit(error);
    void this.ensureConnecting(true).catch(() => undefined);
  }

  private setState(state: ConnectionState): void {
    if (state === this.currentState) return;
    this.currentState = state;
    this.events.state.emit(state);
  }

  /** Settles once connected (calls made before `start()` wait for it), or rejects when the client stops. */
  private whenConnected(): Promise<void> {
    if (this.currentState === 'connected') return Promise.resolve();
    return new Promise((resolve, reject) => this.connectedWaiters.add({ resolve, reject }));
  }

  /** The client stops for good (`stop()`, or the service refused its credentials): every subscription and waiting call rejects with `error`. */
  private endFollowing(error: Error): void {
    this.wanted = false;
    this.retryWait?.cancel();
    for (const feed of this.jobs.values()) feed.fail(error);
    this.jobs.clear();
    this.videos.clear();
    for (const waiter of this.connectedWaiters) waiter.reject(error);
    this.connectedWaiters.clear();
  }

  // ---- subscriptions -----------------------------------------------------------------

  /**
   * Follows a job: its events reach `onJobProgress` and the other job
   * listeners once each, in order, across reconnects. Resolves once the
   * subscription has caught up; rejects if the job does not exist or is not
   * yours.
   */
  async subscribeToJob(jobId: string, options: SubscribeOptions = {}): Promise<void> {
    const feed = this.jobFeed(jobId);
    const first = !feed.wanted;
    feed.explicit = true;
    if (options.after !== undefined) feed.startAfter(options.after);
    if (first) this.startFollowing(feed);
    await feed.subscribed;
  }

  async unsubscribeFromJob(jobId: string): Promise<void> {
    const feed = this.jobs.get(jobId);
    if (!feed || !feed.explicit) return;
    feed.explicit = false;
    await this.stopFollowing(feed);
  }

  /**
   * Calls `handler` with the job's events: from its latest event on, or —
   * with `after` — every stored event after that sequence first. Independent
   * of other watchers and of `subscribeToJob`.
   */
  watchJob(jobId: string, handler: (event: JobEvent) => void, options: WatchOptions = {}): JobWatch {
    const feed = this.jobFeed(jobId);
    const first = !feed.wanted;
    const watch = feed.watch(
      handler,
      options.after,
      () => {
        if (!feed.wanted) void this.stopFollowing(feed);
      },
      options.onOutput,
    );
    if (first) this.startFollowing(feed);
    return watch;
  }

  /**
   * Follows every job with `tag` the caller may read (its own, or a tag
   * follow token's), new ones included: their events and output reach the
   * listeners, each job's once and in order (a gap is filled from the job's
   * history when its next event arrives). Followed again after every
   * reconnect. Resolves with the current state of the tagged jobs (at most
   * 100, newest first).
   */
  async subscribeToTag(tag: string): Promise<JobProgressUpdate[]> {
    this.tags.add(tag);
    if (this.currentState !== 'connected') await this.whenConnected();
    return this.joinTag(tag);
  }

  async unsubscribeFromTag(tag: string): Promise<void> {
    if (!this.tags.delete(tag)) return;
    if (this.connection.state !== HubConnectionState.Connected) return;
    await this.connection.invoke(METHODS.unsubscribeFromTag, tag).catch((error: unknown) => this.logger.debug(`UnsubscribeFromTag(${tag}) failed: ${describeError(error)}`));
  }

  private async joinTag(tag: string): Promise<JobProgressUpdate[]> {
    const states = await this.connection.invoke<JobProgressUpdate[]>(METHODS.subscribeToTag, tag);
    // Each state is its job's latest event as this connection saw it: where a job heard of only by tag starts, and how a gap since shows.
    for (const state of states) if (isSequenced(state, 'jobId')) this.jobFeed(state.jobId).pushLive(jobEvent('JobProgressUpdate', state));
    return states;
  }

  async subscribeToVideo(videoId: string): Promise<void> {
    const feed = this.videoFeed(videoId);
    const first = !feed.wanted;
    feed.explicit = true;
    if (first) await this.followVideo(feed);
  }

  async unsubscribeFromVideo(videoId: string): Promise<void> {
    const feed = this.videos.get(videoId);
    if (!feed || !feed.explicit) return;
    feed.explicit = false;
    if (!feed.wanted) await this.leaveGroup(METHODS.unsubscribeFromVideo, videoId);
  }

  /** Calls `handler` with the video's progress (the latest at once, if known); returns how to stop. */
  watchVideo(videoId: string, handler: (update: VideoProgressUpdate) => void): () => void {
    const feed = this.videoFeed(videoId);
    const first = !feed.wanted;
    const remove = feed.watch(handler);
    if (first) this.followVideo(feed).catch((error: unknown) => this.logger.warn(`cannot follow video ${videoId}: ${describeError(error)}`));
    return () => {
      if (remove() && !feed.wanted) void this.leaveGroup(METHODS.unsubscribeFromVideo, videoId);
    };
  }

  /** Subscribes now if connected; otherwise the next connection subscribes every job someone wants. */
  private startFollowing(feed: JobFeed): void {
    if (this.currentState === 'connected') void this.syncJob(feed);
  }

  private async stopFollowing(feed: JobFeed): Promise<void> {
    if (feed.wanted) return;
    await this.leaveGroup(METHODS.unsubscribeFromJob, feed.jobId);
  }

  /** Subscribes now if connected; otherwise waits for the next connection, which subscribes every wanted video. */
  private async followVideo(feed: VideoFeed): Promise<void> {
    if (this.currentState !== 'connected') return this.whenConnected();
    await this.connection.invoke(METHODS.subscribeToVideo, feed.videoId);
  }

  private async leaveGroup(method: typeof METHODS.unsubscribeFromJob | typeof METHODS.unsubscribeFromVideo, id: string): Promise<void> {
    if (this.connection.state !== HubConnectionState.Connected) return; // the next connection does not rejoin it
    try {
      await this.connection.invoke(method, id);
    } catch (error) {
      this.logger.debug(`${method}(${id}) failed: ${describeError(error)}`);
    }
  }

  /** Joins the job's group on this connection and catches up; a drop mid-way is left to the next connection. */
  private async syncJob(feed: JobFeed): Promise<void> {
    try {
      await feed.subscribe(() => this.connection.invoke(METHODS.subscribeToJob, feed.jobId));
    } catch (error) {
      if (this.connection.state !== HubConnectionState.Connected || !this.wanted) return;
      this.logger.warn(`cannot follow job ${feed.jobId}: ${describeError(error)}`);
      feed.fail(error);
      if (this.jobs.get(feed.jobId) === feed) this.jobs.delete(feed.jobId);
    }
  }

  private async resubscribeAll(): Promise<void> {
    const jobs = [...this.jobs.values()].filter((feed) => feed.wanted);
    const videos = [...this.videos.values()].filter((feed) => feed.wanted);
    await Promise.all([
      ...jobs.map((feed) => this.syncJob(feed)),
      ...[...this.tags].map((tag) =>
        this.joinTag(tag).catch((error: unknown) => {
          this.logger.warn(`cannot follow tag ${tag}: ${describeError(error)}`);
        }),
      ),
      ...videos.map((feed) =>
        this.connection.invoke(METHODS.subscribeToVideo, feed.videoId).catch((error: unknown) => {
          this.logger.warn(`cannot follow video ${feed.videoId}: ${describeError(error)}`);
        }),
      ),
    ]);
  }

  private jobFeed(jobId: string): JobFeed {
    let feed = this.jobs.get(jobId);
    if (!feed) {
      feed = new JobFeed(jobId, {
        api: this.api,
        logger: this.logger,
        retryDelaysMs: this.retryDelaysMs,
        emit: (event, previous) => this.events.emitJobEvent(event, previous),
        emitOutput: (output) => this.events.output.emit(output),
      });
      this.jobs.set(jobId, feed);
    }
    return feed;
  }

  private videoFeed(videoId: string): VideoFeed {
    let feed = this.videos.get(videoId);
    if (!feed) {
      feed = new VideoFeed(
        videoId,
        (update) => this.events.video.emit(update),
        (error) => this.logger.error('a video watcher threw', error),
      );
      this.videos.set(videoId, feed);
    }
    return feed;
  }

  // ---- hub events ----------------------------------------------------------------------

  private wireHubEvents(): void {
    const c = this.connection;
    c.on('JobProgressUpdate', (update: JobProgressUpdate) => {
      if (isSequenced(update, 'jobId')) this.jobFeed(update.jobId).pushLive(jobEvent('JobProgressUpdate', update));
    });
    c.on('JobCompleted', (completed: JobCompleted) => {
      if (isSequenced(completed, 'jobId')) this.jobFeed(completed.jobId).pushLive(jobEvent('JobCompleted', completed));
    });
    c.on('JobFailed', (failed: JobFailed) => {
      if (isSequenced(failed, 'jobId')) this.jobFeed(failed.jobId).pushLive(jobEvent('JobFailed', failed));
    });
    c.on('JobOutput', (output: JobOutput) => {
      if (isSequenced(output, 'jobId')) this.jobFeed(output.jobId).pushLive(jobOutputEvent(output));
    });
    c.on('VideoProgressUpdate', (update: VideoProgressUpdate) => {
      if (isSequenced(update, 'videoId')) this.videoFeed(update.videoId).push(update);
    });
    c.on('UserNotification', (notification: Notification) => this.events.userNotification.emit(notification));
    c.on('BroadcastNotification', (notification: Notification) => this.events.broadcast.emit(notification));
    c.on('Error', (error: HubError) => this.events.hubError.emit(error));
    c.onclose((error) => this.connectionLost(error));
  }

  // ---- listeners (each returns a function that removes it) -----------------------------

  /** Every event of every job the client hears of, once per job and in order. */
  onJobEvent(listener: (event: JobEvent) => void): () => void {
    return this.events.job.add(listener);
  }
  /** Every output item (`JobOutput`) of every job the client hears of, once per job and in its sequence order. */
  onJobOutput(listener: (output: JobOutput) => void): () => void {
    return this.events.output.add(listener);
  }
  onJobProgress(listener: (update: JobProgressUpdate) => void): () => void {
    return this.events.progress.add(listener);
  }
  onJobCompleted(listener: (completed: JobCompleted) => void): () => void {
    return this.events.completed.add(listener);
  }
  onJobFailed(listener: (failed: JobFailed) => void): () => void {
    return this.events.failed.add(listener);
  }
  /** A job's status became `Cancelled` (also delivered to `onJobProgress`). */
  onJobCancelled(listener: (update: JobProgressUpdate) => void): () => void {
    return this.events.cancelled.add(listener);
  }
  onVideoProgress(listener: (update: VideoProgressUpdate) => void): () => void {
    return this.events.video.add(listener);
  }
  onUserNotification(listener: (notification: Notification) => void): () => void {
    return this.events.userNotification.add(listener);
  }
  onBroadcastNotification(listener: (notification: Notification) => void): () => void {
    return this.events.broadcast.add(listener);
  }
  /** The hub's `Error` events (NOT_FOUND, UNAUTHORIZED, VALIDATION_ERROR…). */
  onError(listener: (error: HubError) => void): () => void {
    return this.events.hubError.add(listener);
  }
  /** The connection dropped; the client is reconnecting. */
  onReconnecting(listener: (error: Error | undefined) => void): () => void {
    return this.events.reconnecting.add(listener);
  }
  /** Connected again, and every job and video re-subscribed (catch-up may still be arriving). */
  onReconnected(listener: (connectionId: string | undefined) => void): () => void {
    return this.events.reconnected.add(listener);
  }
  /** The client stopped for good: `stop()` was called, or the service refused its credentials. */
  onConnectionClosed(listener: (error: Error | undefined) => void): () => void {
    return this.events.closed.add(listener);
  }
  onStateChange(listener: (state: ConnectionState) => void): () => void {
    return this.events.state.add(listener);
  }

  // ---- queries and commands -----------------------------------------------------------------

  /** Pending and running jobs (yours; everyone's in open mode), newest first. */
  async getActiveJobs(): Promise<Job[]> {
    const [running, pending] = await Promise.all([
      this.api.listJobs({ status: 'Running', limit: 500 }),
      this.api.listJobs({ status: 'Pending', limit: 500 }),
    ]);
    return [...running.jobs, ...pending.jobs].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  /** The job's current state from the hub (null when it is unknown or not yours). */
  async getJobProgress(jobId: string): Promise<JobProgressUpdate | null> {
    await this.whenConnected();
    return this.connection.invoke<JobProgressUpdate | null>(METHODS.getJobProgress, jobId);
  }

  /** The job now, over REST: with its stages, steps and timestamps, which hub events do not carry. */
  getJob(jobId: string): Promise<Job> {
    return this.api.getJob(jobId);
  }

  listJobs(query: JobListQuery = {}): Promise<Job[]> {
    return this.api.listJobs(query).then((page) => page.jobs);
  }

  cancelJob(jobId: string): Promise<Job> {
    return this.api.cancelJob(jobId);
  }

  retryJob(jobId: string): Promise<Job> {
    return this.api.retryJob(jobId);
  }

  ingestVideo(request: IngestVideoRequest): Promise<IngestVideoResponse> {
    return this.api.ingestVideo(request);
  }
}

function isSequenced(value: unknown, idField: 'jobId' | 'videoId'): boolean {
  const record = value as Record<string, unknown> | null;
  return typeof record?.[idField] === 'string' && typeof record.sequence === 'number';
}
