import type { JobLogger } from '../logger.js';
import type { Job, JsonObject, JsonValue } from '../model.js';

/** What a processor gets besides the job: reporting, cancellation, checkpoints. */
export interface ProcessorContext {
  /**
   * Aborted when the job is cancelled (`reason` a JobCancelledError) or the
   * engine shuts down (`reason` a JobInterruptedError: save a checkpoint and
   * return or throw; the job resumes after the restart).
   */
  readonly signal: AbortSignal;
  /** Enters stage `name` at overall `percent`; the previous stage completes. Sent at once. */
  stage(name: string, percent: number, message?: string): Promise<void>;
  /** Overall progress (0–100), optionally the message and the running stage's own progress. Throttled. */
  progress(percent: number, message?: string, options?: { readonly stageProgress?: number }): Promise<void>;
  /** Saves what the job needs to resume after an interruption; read it back from `job.checkpoint`. */
  checkpoint(data: JsonValue): Promise<void>;
  /**
   * Patches `job.metadata` (shallow: each key given replaces the one before).
   * Not an event of its own: it goes out with the next update, at the latest
   * when the progress throttle's interval is up.
   */
  metadata(patch: JsonObject): Promise<void>;
  /**
   * Writes an output item (a log line, a partial result, a text token): an
   * `output` event of its own, with the job's next sequence, stored and
   * replayed like every other event. Resolves once it is stored. Past the
   * job's output bound one `outputTruncated` event marks the cut; later items
   * are dropped and counted (`job.outputStats`).
   */
  output(data: JsonValue, options?: { readonly stream?: string }): Promise<void>;
  /** When the job should finish at the rate observed in this attempt; undefined until there is a rate. */
  readonly estimatedCompletion: Date | undefined;
  /** The result of the step before this one in its flow (null outside a flow). */
  readonly previousResult: JsonValue;
  readonly logger: JobLogger;
}

/** What a processor may return: a result to keep and the completion message. */
export interface JobOutcome {
  readonly result?: JsonValue;
  readonly message?: string;
}

export type JobProcessor = (job: Readonly<Job>, context: ProcessorContext) => Promise<JobOutcome | void>;

export interface Backoff {
  readonly type: 'fixed' | 'exponential';
  /** The first delay; exponential doubles it per attempt. */
  readonly delayMs: number;
  readonly maxDelayMs?: number;
}

export interface ProcessorOptions {
  /** Automatic retries after a failed attempt. Default: the engine's (0). */
  readonly maxRetries?: number;
  /** Default: exponential from 1 s, at most 60 s. */
  readonly backoff?: Backoff;
  /**
   * Whether a job interrupted by a crash can run again (re-queued, with its
   * checkpoint). False: it is failed with the reason instead. Default true.
   */
  readonly resumable?: boolean;
  /** Stage names shown as Pending from the start. */
  readonly stages?: readonly string[];
  /**
   * An attempt running longer than this has its signal aborted with a
   * JobTimeoutError and fails (then retries, if it may). Default: no limit.
   */
  readonly timeoutMs?: number;
  /** Jobs of this type running at once in one process (runner or worker). Default: no limit beyond the runner's. */
  readonly concurrency?: number;
  /** The output bound of each job of this type. Default: the engine's. */
  readonly outputLimits?: OutputLimits;
}

/** How much output one job may store; past it, one marker event and the rest is dropped. */
export interface OutputLimits {
  /** Default 10 000 items. */
  readonly maxItems?: number;
  /** Default 1 MiB (the items' JSON in UTF-8). */
  readonly maxBytes?: number;
}

export const DEFAULT_OUTPUT_LIMITS: Required<OutputLimits> = { maxItems: 10_000, maxBytes: 1024 * 1024 };

/** Default bound of a job's metadata, as JSON in UTF-8. */
export const DEFAULT_MAX_METADATA_BYTES = 64 * 1024;

export interface ProcessorDefinition {
  readonly type: string;
  readonly processor: JobProcessor;
  readonly options: ProcessorOptions;
}

export const DEFAULT_BACKOFF: Backoff = { type: 'exponential', delayMs: 1000, maxDelayMs: 60_000 };

/** Delay before retry number `attempt` (1 after the first failure). */
export function backoffDelay(backoff: Backoff, attempt: number): number {
  const raw = backoff.type === 'fixed' ? backoff.delayMs : backoff.delayMs * 2 ** Math.max(0, attempt - 1);
  return Math.min(raw, backoff.maxDelayMs ?? Number.POSITIVE_INFINITY);
}

/** Throws on options no runner could honour (a timeout of -1, a concurrency of 0.5). */
export function validateProcessorOptions(type: string, options: ProcessorOptions): void {
  const positive = (name: string, value: number | undefined) => {
    if (value !== undefined && (!Number.isInteger(value) || value < 1)) {
      throw new RangeError(`Job type '${type}': ${name} must be a positive integer, not ${String(value)}.`);
    }
  };
  positive('timeoutMs', options.timeoutMs);
  positive('concurrency', options.concurrency);
  if (options.maxRetries !== undefined && (!Number.isInteger(options.maxRetries) || options.maxRetries < 0)) {
    throw new RangeError(`Job type '${type}': maxRetries must be a non-negative integer, not ${String(options.maxRetries)}.`);
  }
}
