import type { JobLogger } from '../logger.js';
import type { Job, JsonValue } from '../model.js';
import type { EngineCore } from './engine-core.js';
import { EtaEstimator } from './eta.js';
import { clampPercent, enterStage, setStageProgress } from './job-state.js';
import type { ProcessorContext } from './processor.js';

/**
 * The context of one running attempt. It mutates the live job and hands it to
 * the notifier; once closed (the job was cancelled or given up on) every call
 * is a no-op, so a processor that ignores its signal cannot change the
 * outcome.
 */
export class AttemptContext implements ProcessorContext {
  private active = true;
  private readonly eta: EtaEstimator;

  constructor(
    private readonly job: Job,
    readonly signal: AbortSignal,
    readonly previousResult: JsonValue,
    readonly logger: JobLogger,
    private readonly core: EngineCore,
    /** Told of every change (a flow updates its parent from it). */
    private readonly onChange: (job: Job) => void,
  ) {
    this.eta = new EtaEstimator(core.clock.now(), job.progress);
  }

  get isActive(): boolean {
    return this.active;
  }

  close(): void {
    this.active = false;
  }

  get estimatedCompletion(): Date | undefined {
    return this.job.estimatedCompletion ? new Date(this.job.estimatedCompletion) : undefined;
  }

  async stage(name: string, percent: number, message?: string): Promise<void> {
    if (typeof name !== 'string' || name.length === 0) throw new TypeError('A stage needs a name.');
    const progress = clampPercent(percent);
    if (!this.active) return;
    enterStage(this.job, name, this.core.now());
    this.job.progress = progress;
    this.job.statusMessage = message ?? null;
    await this.changed();
  }

  async progress(percent: number, message?: string, options: { readonly stageProgress?: number } = {}): Promise<void> {
    const progress = clampPercent(percent);
    if (!this.active) return;
    this.job.progress = progress;
    if (message !== undefined) this.job.statusMessage = message;
    if (options.stageProgress !== undefined) setStageProgress(this.job, options.stageProgress);
    await this.changed();
  }

  async checkpoint(data: JsonValue): Promise<void> {
    if (!this.active) return;
    this.job.checkpoint = structuredClone(data);
    await this.core.notifier.save(this.job);
  }

  private async changed(): Promise<void> {
    const eta = this.eta.estimate(this.core.clock.now(), this.job.progress);
    this.job.estimatedCompletion = eta === undefined ? null : new Date(eta).toISOString();
    const sent = this.core.notifier.progress(this.job);
    this.onChange(this.job);
    await sent;
  }
}
