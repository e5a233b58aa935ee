// Time-ordered (UUID v7): jobs created together sit together in the stores' indexes, so the events of the
// jobs running at once dirty a few index pages per commit instead of one page each.
import { v7 as timeOrderedUuid } from 'uuid';
import type { Clock } from '../clock.js';
import { JobCancelledError, JobNotFoundError, JobStateError } from '../errors.js';
import type { JobEventWriter } from '../events/job-event-writer.js';
import { FlowCoordinator, weightedProgress } from '../engine/flow-coordinator.js';
import { type JobSpec, cancelUnfinishedStages, createJob, markCancelled, markRetried } from '../engine/job-state.js';
import { validateSubmission } from '../engine/submission.js';
import { KeyedMutex } from '../keyed-mutex.js';
import { type Job, type JobEvent, type JobFilter, type JsonObject, type JsonValue, isTerminal } from '../model.js';
import type { JobStore } from '../store/job-store.js';
import { type JobDispatcher, type JobHolder, dispatchJob } from './job-dispatcher.js';
import type { JobRegistry } from './job-registry.js';

export type NewJob = JobSpec;

/** What `submit` did: created `job`, or found it (`existing`: the owner's idempotency key was used before). */
export interface Submission {
  readonly job: Job;
  readonly existing: boolean;
}

export interface NewFlowStep {
  /** The stage name of this step in the parent. */
  readonly name: string;
  readonly type: string;
  /** Relative share of the parent's progress. Default: equal shares. */
  readonly weight?: number;
  readonly input?: JsonValue;
  readonly metadata?: JsonObject;
  readonly maxRetries?: number;
}

/** A parent job whose children (the steps) run one after another; its tags are the parent's. */
export interface NewFlow extends Omit<JobSpec, 'maxRetries' | 'idempotencyKey' | 'delayMs'> {
  readonly steps: readonly NewFlowStep[];
}

export interface JobQueueOptions {
  readonly store: JobStore;
  /** Writes the events of what the queue changes (created, cancelled, retried). */
  readonly writer: JobEventWriter;
  /** The job types submissions are checked against. */
  readonly registry: JobRegistry;
  /** Where queued jobs go to be run. */
  readonly dispatcher: JobDispatcher;
  /** Asked first when a job is cancelled: whoever runs it cancels it there. Default: no one runs jobs. */
  readonly holder?: JobHolder;
  /** One state transition at a time per job; share it with the worker of the same process. Default: the queue's own. */
  readonly locks?: KeyedMutex;
  readonly clock: Clock;
  /** Automatic retries for job types that do not set their own. Default 0. */
  readonly maxRetries?: number;
}

/**
 * The submitting side of jobs (BullMQ's `Queue` and `FlowProducer`): creates
 * jobs and flows in the store and dispatches them, cancels and retries them,
 * and answers queries. Its flow coordinator keeps a flow's parent in step
 * with its steps; the worker of the same process shares it.
 */
export class JobQueue {
  readonly store: JobStore;
  readonly writer: JobEventWriter;
  readonly registry: JobRegistry;
  readonly dispatcher: JobDispatcher;
  readonly locks: KeyedMutex;
  readonly flows: FlowCoordinator;
  readonly clock: Clock;
  private holder: JobHolder | undefined;
  private readonly maxRetries: number;
  private closed = false;

  constructor(options: JobQueueOptions) {
    this.store = options.store;
    this.writer = options.writer;
    this.registry = options.registry;
    this.dispatcher = options.dispatcher;
    this.locks = options.locks ?? new KeyedMutex();
    this.clock = options.clock;
    this.holder = options.holder;
    this.maxRetries = options.maxRetries ?? 0;
    this.flows = new FlowCoordinator({
      store: this.store,
      writer: this.writer,
      locks: this.locks,
      clock: this.clock,
      dispatch: (job) => this.dispatch(job),
      cancelJob: (id, reason) => this.cancel(id, reason),
    });
  }

  /** Who cancels the jobs running (a worker built after the queue). */
  heldBy(holder: JobHolder): void {
    this.holder = holder;
  }

  /** Refuses new submissions and retries from now on. */
  close(): void {
    this.closed = true;
  }

  /** Queues a Pending job to run (after its `notBefore`). */
  dispatch(job: Job): Promise<void> {
    return dispatchJob(this.dispatcher, job, this.clock);
  }

  async submit(spec: NewJob): Promise<Submission> {
    this.assertAccepting();
    const definition = this.registry.require(spec.type);
    validateSubmission(spec);
    this.registry.checkInput(spec.type, spec.input ?? null);
    const job = createJob(timeOrderedUuid(), spec, this.now(), {
      maxRetries: definition.options.maxRetries ?? this.maxRetries,
      stages: definition.options.stages,
    });
    const existing = await this.store.insertJob(job);
    if (existing) return { job: existing, existing: true };
    await this.writer.emit(job, 'created');
    await this.dispatch(job);
    return { job, existing: false };
  }

  async enqueueFlow(spec: NewFlow): Promise<{ parent: Job; children: Job[] }> {
    this.assertAccepting();
    if (spec.steps.length === 0) throw new TypeError('A flow needs at least one step.');
    validateSubmission(spec);
    const weights = normalizedWeights(spec.steps);
    const now = this.now();
    const parentId = timeOrderedUuid();
    let previous: string | null = null;
    const children = spec.steps.map((step) => {
      const definition = this.registry.require(step.type);
      this.registry.checkInput(step.type, step.input ?? null);
      const child = createJob(
        timeOrderedUuid(),
        { ...step, ownerId: spec.ownerId, priority: spec.priority, subject: spec.subject, metadata: { ...spec.metadata, ...step.metadata }, tags: [] },
        now,
        { parentId, dependsOn: previous, stages: definition.options.stages, maxRetries: step.maxRetries ?? definition.options.maxRetries ?? this.maxRetries },
      );
      previous = child.id;
      return child;
    });
    const parent = createJob(parentId, { ...spec, maxRetries: 0 }, now, {
      maxRetries: 0,
      steps: spec.steps.map((s, i) => ({ name: s.name, jobId: children[i]!.id, weight: weights[i]! })),
      stages: spec.steps.map((s) => s.name),
    });
    await this.store.insertJobs([parent, ...children]);
    await this.writer.emit(parent, 'created');
    for (const child of children) await this.writer.emit(child, 'created');
    await this.dispatch(children[0]!);
    return { parent, children };
  }

  get(id: string): Promise<Job | undefined> {
    return this.store.getJob(id);
  }

  list(filter: JobFilter = {}): Promise<Job[]> {
    return this.store.listJobs(filter);
  }

  async children(parentId: string): Promise<Job[]> {
    const parent = await this.store.getJob(parentId);
    if (!parent?.steps) return [];
    const children = await Promise.all(parent.steps.map((s) => this.store.getJob(s.jobId)));
    return children.filter((c): c is Job => c !== undefined);
  }

  events(id: string, after = 0, limit = 1000): Promise<JobEvent[]> {
    return this.store.listEvents(id, after, limit);
  }

  /**
   * Cancels a Pending or Running job: the holder running it cancels it there
   * (its signal aborts); otherwise it is cancelled here. Cancelling a flow
   * cancels its unfinished steps; cancelling a step cancels its flow.
   */
  async cancel(id: string, reason = 'Cancelled by request'): Promise<Job> {
    const job = await this.locks.run(id, async () => {
      const held = await this.holder?.cancelHeld(id, reason);
      if (held) return held;
      const current = this.flows.parent(id) ?? (await this.store.getJob(id));
      if (!current) throw new JobNotFoundError(id);
      if (isTerminal(current.status)) throw new JobStateError(`Job '${id}' is already ${current.status}.`);
      markCancelled(current, this.now(), reason);
      if (current.steps) cancelUnfinishedStages(current);
      await this.dispatcher.cancel(id, new JobCancelledError(reason));
      await this.writer.emit(current, 'cancelled');
      this.flows.forget(id);
      return current;
    });
    if (job.steps) {
      for (const step of job.steps) await this.cancel(step.jobId, `Cancelled with its flow: ${reason}`).catch(ignoreSettled);
    } else {
      await this.flows.childSettled(job);
    }
    return job;
  }

  /**
   * Runs a Failed or Cancelled job again (retryCount + 1, checkpoint dropped).
   * Retrying a flow, or any of its steps, re-runs the flow from its first
   * unfinished step.
   */
  async retry(id: string): Promise<Job> {
    this.assertAccepting();
    const job = await this.store.getJob(id);
    if (!job) throw new JobNotFoundError(id);
    if (job.parentId) {
      const parent = await this.store.getJob(job.parentId);
      if (parent && isTerminal(parent.status) && parent.status !== 'Completed') {
        await this.retry(parent.id);
        return (await this.get(id))!;
      }
    }
    assertRetryable(job);
    if (job.steps) return this.retryFlow(job);
    const retried = await this.locks.run(id, async () => {
      const current = (await this.store.getJob(id))!;
      assertRetryable(current);
      markRetried(current);
      await this.writer.emit(current, 'retried');
      return current;
    });
    await this.dispatch(retried);
    return retried;
  }

  private async retryFlow(parent: Job): Promise<Job> {
    const unfinished = (await this.children(parent.id)).filter((c) => c.status !== 'Completed');
    for (const child of unfinished) {
      await this.locks.run(child.id, async () => {
        const current = (await this.store.getJob(child.id))!;
        if (!isTerminal(current.status)) return;
        markRetried(current);
        await this.writer.emit(current, 'retried');
      });
    }
    const retried = await this.locks.run(parent.id, async () => {
      const current = (await this.store.getJob(parent.id))!;
      assertRetryable(current);
      markRetried(current);
      const children = await this.children(parent.id);
      current.steps!.forEach((step, i) => {
        const child = children.find((c) => c.id === step.jobId);
        const stage = current.stages[i];
        if (child?.status === 'Completed' && stage) Object.assign(stage, { status: 'Completed', progress: 100, startedAt: child.startedAt, completedAt: child.finishedAt });
      });
      current.progress = weightedProgress(current);
      await this.writer.emit(current, 'retried');
      return current;
    });
    const first = unfinished[0];
    if (first) await this.dispatch((await this.store.getJob(first.id))!);
    return retried;
  }

  private now(): string {
    return new Date(this.clock.now()).toISOString();
  }

  private assertAccepting(): void {
    if (this.closed) throw new JobStateError('The job engine is shutting down.');
  }
}

function assertRetryable(job: Job): void {
  if (job.status !== 'Failed' && job.status !== 'Cancelled') {
    throw new JobStateError(`Job '${job.id}' is ${job.status}; only Failed or Cancelled jobs can be retried.`);
  }
  if (!job.canRetry) throw new JobStateError(`Job '${job.id}' failed permanently and cannot be retried.`);
}

function ignoreSettled(error: unknown): void {
  if (!(error instanceof JobStateError)) throw error;
}

function normalizedWeights(steps: readonly NewFlowStep[]): number[] {
  const raw = steps.map((s) => s.weight ?? 1);
  for (const w of raw) if (!(w > 0) || !Number.isFinite(w)) throw new TypeError(`Step weights must be positive numbers, not ${w}.`);
  const total = raw.reduce((a, b) => a + b, 0);
  return raw.map((w) => w / total);
}
