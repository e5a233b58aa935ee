import type { Clock } from '../clock.js';
import type { JobEventWriter } from '../events/job-event-writer.js';
import type { KeyedMutex } from '../keyed-mutex.js';
import { type Job, type JsonObject, isTerminal } from '../model.js';
import type { JobStore } from '../store/job-store.js';
import { EtaEstimator } from './eta.js';
import { cancelUnfinishedStages, markCancelled, markCompleted, markFailed, markRunning } from './job-state.js';

/** Cancels a job (the queue's `cancel`, which also settles its flow). */
export type CancelJob = (jobId: string, reason: string) => Promise<unknown>;

export interface FlowCoordinatorOptions {
  readonly store: JobStore;
  readonly writer: JobEventWriter;
  /** One state transition at a time per job (the queue's and the worker's). */
  readonly locks: KeyedMutex;
  readonly clock: Clock;
  /** Queues the next step. */
  readonly dispatch: (job: Job) => Promise<void>;
  readonly cancelJob: CancelJob;
}

/**
 * Keeps a flow's parent in step with its children, which run one after
 * another: the parent runs when its first child does, its progress is the
 * weighted sum of theirs, its current stage and message are the running
 * child's, it completes with the last child and fails or is cancelled with
 * any. The next child is queued when the one before completes.
 */
export class FlowCoordinator {
  /** By the live parent object: an estimator lasts as long as the flow is worked on here, however that ends. */
  private readonly estimators = new WeakMap<Job, EtaEstimator>();
  /**
   * Parents of the steps running here: the one object progress updates
   * mutate and send. A parent is read from the store when its step starts
   * and dropped when the step settles, so another process may run the next.
   */
  private readonly parents = new Map<string, Job>();

  constructor(private readonly options: FlowCoordinatorOptions) {}

  /** The live parent if one of its steps runs here. */
  parent(id: string): Job | undefined {
    return this.parents.get(id);
  }

  /** The parent was settled by someone else (a cancel): it is no longer kept here. */
  forget(id: string): void {
    this.parents.delete(id);
  }

  private now(): string {
    return new Date(this.options.clock.now()).toISOString();
  }

  private async load(id: string): Promise<Job | undefined> {
    return this.parents.get(id) ?? (await this.options.store.getJob(id));
  }

  childStarted(child: Job): Promise<void> {
    const parentId = child.parentId;
    if (!parentId) return Promise.resolve();
    return this.options.locks.run(parentId, async () => {
      const parent = await this.load(parentId);
      if (!parent?.steps || isTerminal(parent.status)) return;
      this.parents.set(parent.id, parent);
      const first = parent.status === 'Pending';
      if (first) markRunning(parent, this.now());
      this.estimators.set(parent, new EtaEstimator(this.options.clock.now(), parent.progress));
      await this.syncStages(parent);
      parent.currentStage = child.currentStage ?? this.stepOf(parent, child)?.name ?? null;
      parent.statusMessage = child.statusMessage;
      await this.options.writer.emit(parent, first ? 'started' : 'stage');
    });
  }

  /** Called on every progress call of a child (no I/O: it updates the live parent). */
  childProgress(child: Job): void {
    const parent = child.parentId ? this.parents.get(child.parentId) : undefined;
    if (!parent?.steps || isTerminal(parent.status)) return;
    const index = parent.steps.findIndex((s) => s.jobId === child.id);
    const stage = parent.stages[index];
    if (!stage) return;
    stage.status = 'Running';
    stage.progress = child.progress;
    parent.currentStage = child.currentStage;
    parent.statusMessage = child.statusMessage;
    parent.progress = weightedProgress(parent);
    const eta = this.estimators.get(parent)?.estimate(this.options.clock.now(), parent.progress);
    parent.estimatedCompletion = eta === undefined ? null : new Date(eta).toISOString();
    void this.options.writer.progress(parent);
  }

  /** A child reached a new resting state (Completed, Failed, Cancelled, or Pending again). */
  async childSettled(child: Job): Promise<void> {
    const parentId = child.parentId;
    if (!parentId) return;
    const { toCancel, reason } = await this.options.locks.run(parentId, () => this.settle(parentId, child));
    for (const id of toCancel) await this.options.cancelJob(id, reason).catch(() => undefined);
  }

  /** Brings a flow left unfinished by a crash up to date with its children. */
  async reconcile(parent: Job): Promise<void> {
    const children = await this.children(parent);
    const decisive = children.find((c) => c && (c.status === 'Failed' || c.status === 'Cancelled'));
    const last = children[children.length - 1];
    if (decisive) await this.childSettled(decisive);
    else if (last && children.every((c) => c?.status === 'Completed')) await this.childSettled(last);
  }

  private async settle(parentId: string, child: Job): Promise<{ toCancel: string[]; reason: string }> {
    const { writer } = this.options;
    const nothing = { toCancel: [], reason: '' };
    const parent = await this.load(parentId);
    if (!parent?.steps || isTerminal(parent.status)) return nothing;
    const children = await this.syncStages(parent);
    const index = parent.steps.findIndex((s) => s.jobId === child.id);
    const step = parent.steps[index];
    if (!step) return nothing;
    const later = {
      toCancel: children
        .slice(index + 1)
        .filter((c): c is Job => c !== undefined && !isTerminal(c.status))
        .map((c) => c.id),
      reason: `Not run: step '${step.name}' ended ${child.status.toLowerCase()}`,
    };
    const now = this.now();
    switch (child.status) {
      case 'Completed': {
        const next = children[index + 1];
        if (next) {
          parent.statusMessage = child.statusMessage;
          await writer.emit(parent, 'stage');
          this.parents.delete(parent.id); // the next step may run in another process
          if (next.status === 'Pending') await this.options.dispatch(next);
          return nothing;
        }
        const result: JsonObject = {};
        parent.steps.forEach((s, i) => {
          result[s.name] = children[i]?.result ?? null;
        });
        markCompleted(parent, now, undefined, result);
        parent.currentStage = null;
        await this.finishParent(parent, 'completed');
        return nothing;
      }
      case 'Failed':
        cancelUnfinishedStages(parent, index + 1);
        markFailed(parent, now, `${step.name} failed: ${child.error ?? 'unknown error'}`, child.canRetry);
        await this.finishParent(parent, 'failed');
        return later;
      case 'Cancelled':
        cancelUnfinishedStages(parent, index + 1);
        markCancelled(parent, now, `${step.name} was cancelled`);
        await this.finishParent(parent, 'cancelled');
        return later;
      default:
        // Pending again: the child is waiting to retry, or was interrupted by a shutdown.
        parent.statusMessage = child.statusMessage;
        parent.error = child.error;
        await writer.emit(parent, child.notBefore ? 'retrying' : 'interrupted');
        this.parents.delete(parent.id);
        return nothing;
    }
  }

  private async finishParent(parent: Job, kind: 'completed' | 'failed' | 'cancelled'): Promise<void> {
    await this.options.writer.emit(parent, kind);
    this.parents.delete(parent.id);
  }

  /** Copies each child's state into the parent's stage for it; returns the children. */
  private async syncStages(parent: Job): Promise<(Job | undefined)[]> {
    const children = await this.children(parent);
    parent.steps!.forEach((_, i) => {
      const child = children[i];
      const stage = parent.stages[i];
      if (!child || !stage) return;
      stage.status = child.status;
      stage.progress = child.status === 'Completed' ? 100 : child.progress;
      stage.startedAt = child.startedAt;
      stage.completedAt = isTerminal(child.status) ? child.finishedAt : null;
      stage.errorMessage = child.status === 'Failed' ? child.error : null;
    });
    parent.progress = weightedProgress(parent);
    return children;
  }

  private children(parent: Job): Promise<(Job | undefined)[]> {
    return Promise.all((parent.steps ?? []).map((s) => this.options.store.getJob(s.jobId)));
  }

  private stepOf(parent: Job, child: Job) {
    return parent.steps?.find((s) => s.jobId === child.id);
  }
}

/** The parent's progress: each step's progress times its weight. */
export function weightedProgress(parent: Job): number {
  const total = (parent.steps ?? []).reduce((sum, step, i) => sum + step.weight * (parent.stages[i]?.progress ?? 0), 0);
  return Math.min(100, Math.round(total * 100) / 100);
}
