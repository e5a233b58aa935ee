import type { Clock } from '../clock.js';
import type { JobLogger } from '../logger.js';
import type { Job, JobEvent, JobEventKind, JobOutputItem } from '../model.js';
import type { JobStore } from '../store/job-store.js';
import type { JobEventSink } from './job-event-sink.js';
import { JobEventWriter, type WriterMetrics } from './job-event-writer.js';
import type { JobEventsMetrics } from './job-events.js';
import { LocalJobEvents } from './local-job-events.js';

export interface ProgressNotifierOptions {
  readonly store: JobStore;
  readonly clock: Clock;
  readonly logger: JobLogger;
  /** Default 1000 ms. */
  readonly throttleIntervalMs?: number;
  /** Default 5 points. */
  readonly progressJump?: number;
  /** A sink that has not finished with an event after this long is counted as failed. Default 5000 ms. */
  readonly sinkTimeoutMs?: number;
}

export type NotifierMetrics = WriterMetrics & JobEventsMetrics;

/**
 * Job events written and delivered in one process: a JobEventWriter whose
 * line is a LocalJobEvents, so every event it stores goes to this process's
 * sinks in sequence order. For code that reports jobs of its own without an
 * engine.
 */
export class ProgressNotifier {
  readonly events: LocalJobEvents;
  readonly writer: JobEventWriter;

  constructor(options: ProgressNotifierOptions) {
    const { store, clock, logger } = options;
    this.events = new LocalJobEvents({ store, logger, sinkTimeoutMs: options.sinkTimeoutMs });
    this.writer = new JobEventWriter({ store, line: this.events, clock, logger, throttleIntervalMs: options.throttleIntervalMs, progressJump: options.progressJump });
  }

  get metrics(): NotifierMetrics {
    return { ...this.writer.metrics, sinkFailures: this.events.metrics.sinkFailures };
  }

  addSink(sink: JobEventSink): () => void {
    return this.events.addSink(sink);
  }

  progress(job: Job): Promise<void> {
    return this.writer.progress(job);
  }

  emit(job: Job, kind: JobEventKind, output?: JobOutputItem): Promise<JobEvent | undefined> {
    return this.writer.emit(job, kind, output);
  }

  save(job: Job): Promise<void> {
    return this.writer.save(job);
  }

  /** Resolves once every queued store write and delivery has finished. */
  drain(): Promise<void> {
    return this.writer.drain();
  }
}
