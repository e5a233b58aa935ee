import { randomUUID } from 'node:crypto';
import type { HubLogger } from '@tidings/hub';
import type { Job } from '@tidings/jobs';
import type { RedisOptions } from 'ioredis';
import { ChannelSubscriptions } from '@tidings/redis/link';
import { RedisLink, type RedisSource } from '@tidings/redis/link';
import type { JobKeys } from './job-keys.js';

/** What a worker does with control requests for the attempts it runs. */
export interface ControlHandler {
  /**
   * Cancels the job if one of this worker's attempts holds it, resolving with
   * the cancelled job; undefined when the job is not here.
   */
  cancel(jobId: string, reason: string): Promise<Job | undefined>;
  /** Aborts this worker's attempt of the job, if it runs one (the job was cancelled elsewhere). */
  abort(jobId: string, reason: string): void;
}

type ControlMessage =
  | { readonly op: 'cancel'; readonly requestId: string; readonly replyTo: string; readonly jobId: string; readonly reason: string }
  | { readonly op: 'abort'; readonly jobId: string; readonly reason: string };

interface CancelReply {
  readonly requestId: string;
  readonly job: Job | null;
}

interface WaitingCancel {
  /** Workers that heard the request (unknown until PUBLISH returns). */
  receivers: number;
  answers: number;
  resolve(job: Job | undefined): void;
}

export interface JobControlOptions {
  readonly redis: RedisSource;
  readonly redisOptions?: RedisOptions;
  readonly keys: JobKeys;
  /** Unique per process: where replies to this process's requests go. */
  readonly nodeId: string;
  readonly logger: HubLogger;
  readonly connectTimeoutMs?: number;
}

/**
 * Cancel requests from API nodes to the worker holding a job, over Redis
 * pub/sub. Every worker listens on one channel; the one running an attempt
 * of the job cancels it through that attempt's engine (so its AbortSignal
 * fires and its context stops reporting) and answers, the others answer that
 * the job is not theirs. PUBLISH tells how many workers heard the request, so
 * the requester knows when every one has answered.
 */
export class JobControl {
  private readonly publisher: RedisLink;
  private readonly subscriber: RedisLink;
  private readonly subscriptions: ChannelSubscriptions;
  private readonly waiting = new Map<string, WaitingCancel>();
  private readonly replyChannel: string;
  private handler: ControlHandler | undefined;

  constructor(private readonly options: JobControlOptions) {
    const { redis, redisOptions = {}, logger, connectTimeoutMs = 10_000 } = options;
    this.publisher = new RedisLink('job-control', redis, redisOptions, { autoResendUnfulfilledCommands: false }, logger, connectTimeoutMs);
    this.subscriber = new RedisLink('job-control-subscriber', redis, redisOptions, {}, logger, connectTimeoutMs);
    this.subscriptions = new ChannelSubscriptions(this.subscriber, logger);
    this.replyChannel = options.keys.replyChannel(options.nodeId);
    this.subscriber.client.on('message', (channel: string, message: string) => this.receive(channel, message));
  }

  /** Both connections are up and every channel is subscribed. */
  get connected(): boolean {
    return this.publisher.isReady && this.subscriptions.settled;
  }

  /** Starts answering control requests (workers). */
  async serve(handler: ControlHandler): Promise<void> {
    this.handler = handler;
    await this.subscriber.usable();
    await this.subscriptions.ensure(this.options.keys.controlChannel);
  }

  /**
   * Asks the workers to cancel `jobId`. Resolves with the job as the worker
   * holding it cancelled it, or undefined when no worker holds it (every one
   * that heard the request said so, none heard it, or none answered within
   * `timeoutMs`): the caller then cancels it itself.
   */
  async requestCancel(jobId: string, reason: string, timeoutMs: number): Promise<Job | undefined> {
    await this.publisher.usable();
    await this.subscriptions.ensure(this.replyChannel);
    const requestId = randomUUID();
    const message: ControlMessage = { op: 'cancel', requestId, replyTo: this.replyChannel, jobId, reason };
    let resolve!: (job: Job | undefined) => void;
    const answered = new Promise<Job | undefined>((r) => (resolve = r));
    const entry: WaitingCancel = { receivers: Number.POSITIVE_INFINITY, answers: 0, resolve };
    this.waiting.set(requestId, entry);
    const timer = setTimeout(() => {
      this.options.logger.warn({ jobId, timeoutMs }, 'no worker answered a cancel request in time; cancelling without it');
      entry.resolve(undefined);
    }, timeoutMs);
    try {
      entry.receivers = await this.publisher.client.publish(this.options.keys.controlChannel, JSON.stringify(message));
      if (entry.answers >= entry.receivers) resolve(undefined);
      return await answered;
    } finally {
      clearTimeout(timer);
      this.waiting.delete(requestId);
    }
  }

  /** Tells every worker to abort its attempt of `jobId`, if it runs one. Best effort: never rejects. */
  async abort(jobId: string, reason: string): Promise<void> {
    const message: ControlMessage = { op: 'abort', jobId, reason };
    try {
      await this.publisher.usable();
      await this.publisher.client.publish(this.options.keys.controlChannel, JSON.stringify(message));
    } catch (error) {
      this.options.logger.warn({ jobId, error: (error as Error).message }, 'could not tell the workers to abort a job');
    }
  }

  async close(): Promise<void> {
    for (const entry of this.waiting.values()) entry.resolve(undefined);
    await Promise.all([this.publisher.close(), this.subscriber.close()]);
  }

  private receive(channel: string, raw: string): void {
    let message: unknown;
    try {
      message = JSON.parse(raw);
    } catch {
      this.options.logger.warn({ channel }, 'ignored a control message that is not JSON');
      return;
    }
    if (channel === this.replyChannel) this.answer(message as CancelReply);
    else if (channel === this.options.keys.controlChannel) void this.handle(message as ControlMessage);
  }

  private answer(reply: CancelReply): void {
    const entry = this.waiting.get(reply.requestId);
    if (!entry) return;
    entry.answers++;
    if (reply.job) entry.resolve(reply.job);
    else if (entry.answers >= entry.receivers) entry.resolve(undefined);
  }

  private async handle(message: ControlMessage): Promise<void> {
    const handler = this.handler;
    if (!handler) return;
    if (message.op === 'abort') {
      handler.abort(message.jobId, message.reason);
      return;
    }
    let job: Job | undefined;
    try {
      job = await handler.cancel(message.jobId, message.reason);
    } catch (error) {
      // The requester cancels it itself and reports why that fails (already finished, say).
      this.options.logger.debug({ jobId: message.jobId, error: (error as Error).message }, 'cancelling a held job failed here');
    }
    const reply: CancelReply = { requestId: message.requestId, job: job ?? null };
    try {
      await this.publisher.usable();
      await this.publisher.client.publish(message.replyTo, JSON.stringify(reply));
    } catch (error) {
      this.options.logger.warn({ jobId: message.jobId, error: (error as Error).message }, 'could not answer a cancel request');
    }
  }
}
