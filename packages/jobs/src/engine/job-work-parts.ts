import type { Clock } from '../clock.js';
import type { JobEventWriter } from '../events/job-event-writer.js';
import type { KeyedMutex } from '../keyed-mutex.js';
import type { JobLogger } from '../logger.js';
import type { Job } from '../model.js';
import type { JobRegistry } from '../queue/job-registry.js';
import type { JobStore } from '../store/job-store.js';
import type { FlowCoordinator } from './flow-coordinator.js';

/** What running jobs (an executor, recovery) reads, writes and queues through. */
export interface JobWorkParts {
  readonly store: JobStore;
  readonly writer: JobEventWriter;
  readonly registry: JobRegistry;
  /** One state transition at a time per job (shared with the queue in one process). */
  readonly locks: KeyedMutex;
  readonly flows: FlowCoordinator;
  readonly clock: Clock;
  readonly logger: JobLogger;
  /** Queues a Pending job again (its `notBefore` says when). */
  readonly requeue: (job: Job) => Promise<void>;
}
