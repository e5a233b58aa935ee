import { type FlowStep, type Job, type JobStage, type JsonObject, type JsonValue, type StageStatus, emptyOutputStats } from '../model.js';

/** Pure transitions of a job's state; the engine decides when, and emits the events. */

export interface JobSpec {
  readonly type: string;
  readonly ownerId?: string | null;
  readonly priority?: number;
  readonly input?: JsonValue;
  readonly metadata?: JsonObject;
  readonly subject?: string | null;
  readonly maxRetries?: number;
  /** Labels to list and follow the job by (at most 10, each 1–128 characters; repeats count once). */
  readonly tags?: readonly string[];
  /**
   * The caller's key for this submission (1–256 characters): submitting again
   * with the key its owner already used returns the existing job, never a second one.
   */
  readonly idempotencyKey?: string;
  /** Not run before this many ms from now. */
  readonly delayMs?: number;
}

export function createJob(
  id: string,
  spec: JobSpec,
  now: string,
  extra: { parentId?: string; dependsOn?: string | null; steps?: FlowStep[]; stages?: readonly string[]; maxRetries: number },
): Job {
  return {
    id,
    type: spec.type,
    ownerId: spec.ownerId ?? null,
    priority: spec.priority ?? 1,
    status: 'Pending',
    progress: 0,
    currentStage: null,
    statusMessage: 'Queued',
    error: null,
    stages: (extra.stages ?? []).map(pendingStage),
    retryCount: 0,
    maxRetries: spec.maxRetries ?? extra.maxRetries,
    attempt: 0,
    canRetry: false,
    createdAt: now,
    startedAt: null,
    finishedAt: null,
    updatedAt: now,
    estimatedCompletion: null,
    metadata: spec.metadata ?? {},
    input: spec.input ?? null,
    result: null,
    checkpoint: null,
    subject: spec.subject ?? null,
    tags: [...new Set(spec.tags ?? [])],
    idempotencyKey: spec.idempotencyKey ?? null,
    outputStats: emptyOutputStats(),
    parentId: extra.parentId ?? null,
    dependsOn: extra.dependsOn ?? null,
    steps: extra.steps ?? null,
    notBefore: spec.delayMs ? new Date(Date.parse(now) + spec.delayMs).toISOString() : null,
    lastSequence: 0,
  };
}

export function pendingStage(name: string): JobStage {
  return { name, status: 'Pending', progress: 0, startedAt: null, completedAt: null, errorMessage: null };
}

export function clampPercent(value: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new TypeError(`Progress must be a finite number, not ${String(value)}.`);
  return Math.min(100, Math.max(0, Math.round(value * 100) / 100));
}

function runningStage(job: Job): JobStage | undefined {
  return job.stages.find((s) => s.status === 'Running');
}

/** Ends the running stage with `status` (default Completed). */
export function endRunningStage(job: Job, now: string, status: StageStatus = 'Completed', errorMessage: string | null = null): void {
  const stage = runningStage(job);
  if (!stage) return;
  stage.status = status;
  stage.completedAt = now;
  if (status === 'Completed') stage.progress = 100;
  stage.errorMessage = errorMessage;
}

/** Enters stage `name`: the running stage completes; `name` runs (declared or added). */
export function enterStage(job: Job, name: string, now: string): void {
  const current = runningStage(job);
  if (current?.name === name) return;
  endRunningStage(job, now);
  let stage = job.stages.find((s) => s.name === name && s.status === 'Pending');
  if (!stage) {
    stage = pendingStage(name);
    job.stages.push(stage);
  }
  stage.status = 'Running';
  stage.startedAt = now;
  job.currentStage = name;
}

export function setStageProgress(job: Job, percent: number): void {
  const stage = runningStage(job);
  if (stage) stage.progress = clampPercent(percent);
}

export function markRunning(job: Job, now: string): void {
  job.status = 'Running';
  job.attempt += 1;
  job.startedAt ??= now;
  job.finishedAt = null;
  job.notBefore = null;
  job.canRetry = false;
  job.statusMessage = job.attempt > 1 ? `Started (attempt ${job.attempt})` : 'Started';
}

export function markCompleted(job: Job, now: string, message: string | undefined, result: JsonValue): void {
  endRunningStage(job, now);
  job.status = 'Completed';
  job.progress = 100;
  job.statusMessage = message ?? 'Job completed successfully';
  job.error = null;
  job.result = result;
  job.finishedAt = now;
  job.estimatedCompletion = null;
  job.canRetry = false;
}

export function markFailed(job: Job, now: string, error: string, canRetry: boolean): void {
  endRunningStage(job, now, 'Failed', error);
  job.status = 'Failed';
  job.statusMessage = 'Job failed';
  job.error = error;
  job.finishedAt = now;
  job.estimatedCompletion = null;
  job.canRetry = canRetry;
}

/** Stages from `from` on that will not run now (a flow's later steps) are marked Cancelled. */
export function cancelUnfinishedStages(job: Job, from = 0): void {
  for (const stage of job.stages.slice(from)) if (stage.status === 'Pending' || stage.status === 'Running') stage.status = 'Cancelled';
}

export function markCancelled(job: Job, now: string, reason: string): void {
  endRunningStage(job, now, 'Cancelled');
  job.status = 'Cancelled';
  job.statusMessage = reason;
  job.finishedAt = now;
  job.estimatedCompletion = null;
  job.canRetry = true;
}

/** Back to the start line for another attempt: progress and stages reset. */
function resetProgress(job: Job): void {
  job.progress = 0;
  job.currentStage = null;
  job.estimatedCompletion = null;
  for (const stage of job.stages) Object.assign(stage, pendingStage(stage.name));
}

export function markRetrying(job: Job, now: string, error: string, delayMs: number): void {
  endRunningStage(job, now, 'Failed', error);
  resetProgress(job);
  job.status = 'Pending';
  job.error = error;
  job.retryCount += 1;
  job.notBefore = new Date(Date.parse(now) + delayMs).toISOString();
  job.statusMessage = `Attempt ${job.attempt} failed: ${error}. Retrying in ${formatDelay(delayMs)}`;
}

/** Stopped mid-run by a shutdown; progress and checkpoint kept so it can resume. */
export function markInterrupted(job: Job, message: string): void {
  for (const stage of job.stages) if (stage.status === 'Running') stage.status = 'Pending';
  job.status = 'Pending';
  job.estimatedCompletion = null;
  job.statusMessage = message;
}

/** A requested retry of a Failed or Cancelled job: a fresh run, checkpoint dropped. */
export function markRetried(job: Job): void {
  resetProgress(job);
  job.status = 'Pending';
  if (job.attempt > 0) job.retryCount += 1;
  job.attempt = 0;
  job.error = null;
  job.finishedAt = null;
  job.notBefore = null;
  job.checkpoint = null;
  job.result = null;
  job.canRetry = false;
  job.statusMessage = 'Retry requested';
}

function formatDelay(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Math.round(ms / 100) / 10} s`;
}
