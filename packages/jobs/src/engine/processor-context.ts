import type { Clock } from '../clock.js';
import type { JobEventWriter } from '../events/job-event-writer.js';
import type { JobLogger } from '../logger.js';
import type { Job, JobOutputItem, JsonObject, JsonValue } from '../model.js';
import { EtaEstimator } from './eta.js';
import { clampPercent, enterStage, setStageProgress } from './job-state.js';
import type { OutputLimits, ProcessorContext } from './processor.js';

/** The bounds an attempt's metadata and output are held to. */
export interface AttemptBounds {
  readonly output: Required<OutputLimits>;
  readonly maxMetadataBytes: number;
}

/** Where an attempt's reports go, and its clock. */
export interface AttemptServices {
  readonly writer: JobEventWriter;
  readonly clock: Clock;
}

const MAX_STREAM_NAME = 64;

/**
 * The context of one running attempt. It mutates the live job and hands it to
 * the event writer; once closed (the job was cancelled or given up on) every call
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
    private readonly services: AttemptServices,
    /** Told of every change (a flow updates its parent from it). */
    private readonly onChange: (job: Job) => void,
    private readonly bounds: AttemptBounds,
  ) {
    this.eta = new EtaEstimator(services.clock.now(), job.progress);
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
    enterStage(this.job, name, new Date(this.services.clock.now()).toISOString());
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
    await this.services.writer.save(this.job);
  }

  async metadata(patch: JsonObject): Promise<void> {
    if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) throw new TypeError('A metadata patch must be an object.');
    const copy = JSON.parse(jsonOf(patch, 'A metadata patch')) as JsonObject;
    const next: JsonObject = { ...this.job.metadata, ...copy };
    const bytes = Buffer.byteLength(JSON.stringify(next));
    if (bytes > this.bounds.maxMetadataBytes) {
      throw new RangeError(`A job's metadata is limited to ${this.bounds.maxMetadataBytes} bytes as JSON; this patch would make it ${bytes}.`);
    }
    if (!this.active) return;
    this.job.metadata = next;
    await this.changed();
  }

  async output(data: JsonValue, options: { readonly stream?: string } = {}): Promise<void> {
    const stream = options.stream ?? 'log';
    if (typeof stream !== 'string' || stream.length === 0 || stream.length > MAX_STREAM_NAME) {
      throw new TypeError(`An output stream is named by 1–${MAX_STREAM_NAME} characters, not ${JSON.stringify(stream)}.`);
    }
    const json = jsonOf(data, 'Output');
    if (!this.active) return;
    const stats = this.job.outputStats;
    if (stats.truncated) {
      stats.dropped++;
      return;
    }
    const bytes = Buffer.byteLength(json);
    const { maxItems, maxBytes } = this.bounds.output;
    if (stats.items + 1 > maxItems || stats.bytes + bytes > maxBytes) {
      stats.truncated = true;
      stats.dropped++;
      const notice: JobOutputItem = {
        stream: 'tidings',
        data: `Output truncated: the job's output is limited to ${maxItems} items and ${maxBytes} bytes; later output is dropped.`,
      };
      await this.services.writer.emit(this.job, 'outputTruncated', notice);
      return;
    }
    stats.items++;
    stats.bytes += bytes;
    await this.services.writer.emit(this.job, 'output', { stream, data: JSON.parse(json) as JsonValue });
  }

  private async changed(): Promise<void> {
    const eta = this.eta.estimate(this.services.clock.now(), this.job.progress);
    this.job.estimatedCompletion = eta === undefined ? null : new Date(eta).toISOString();
    const sent = this.services.writer.progress(this.job);
    this.onChange(this.job);
    await sent;
  }
}

/** The value as JSON; a TypeError for what JSON cannot hold (undefined, a function, a BigInt). */
function jsonOf(value: unknown, what: string): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch (error) {
    throw new TypeError(`${what} must be JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (json === undefined) throw new TypeError(`${what} must be a JSON value.`);
  return json;
}
