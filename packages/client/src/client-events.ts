import { Listeners } from './listeners.js';
import type { ConnectionState } from './job-progress-client.js';
import type { HubError, JobCompleted, JobEvent, JobFailed, JobOutput, JobProgressUpdate, JobStatus, Notification, VideoProgressUpdate } from '@tidings/contract';

/** Every kind of news a `JobProgressClient` passes to its listeners. */
export class ClientEvents {
  readonly job: Listeners<JobEvent>;
  readonly progress: Listeners<JobProgressUpdate>;
  readonly completed: Listeners<JobCompleted>;
  readonly failed: Listeners<JobFailed>;
  readonly cancelled: Listeners<JobProgressUpdate>;
  readonly output: Listeners<JobOutput>;
  readonly video: Listeners<VideoProgressUpdate>;
  readonly userNotification: Listeners<Notification>;
  readonly broadcast: Listeners<Notification>;
  readonly hubError: Listeners<HubError>;
  readonly reconnecting: Listeners<Error | undefined>;
  readonly reconnected: Listeners<string | undefined>;
  readonly closed: Listeners<Error | undefined>;
  readonly state: Listeners<ConnectionState>;

  constructor(onListenerError: (error: unknown) => void) {
    const listeners = <T>() => new Listeners<T>(onListenerError);
    this.job = listeners();
    this.progress = listeners();
    this.completed = listeners();
    this.failed = listeners();
    this.cancelled = listeners();
    this.output = listeners();
    this.video = listeners();
    this.userNotification = listeners();
    this.broadcast = listeners();
    this.hubError = listeners();
    this.reconnecting = listeners();
    this.reconnected = listeners();
    this.closed = listeners();
    this.state = listeners();
  }

  /** A job's event, to the listeners of each kind it is (a change to Cancelled is also `cancelled`). */
  emitJobEvent(event: JobEvent, previous: JobStatus | undefined): void {
    this.job.emit(event);
    if (event.type === 'JobCompleted') this.completed.emit(event.payload);
    else if (event.type === 'JobFailed') this.failed.emit(event.payload);
    else {
      this.progress.emit(event.payload);
      if (event.payload.status === 'Cancelled' && previous !== 'Cancelled') this.cancelled.emit(event.payload);
    }
  }
}
