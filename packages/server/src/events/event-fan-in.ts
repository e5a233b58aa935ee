import type { Job, JobEngine, JobEvent, JobEventSink } from '@tidings/jobs';
import type { Logger } from '../logger.js';
import type { VideoProgressUpdate } from '@tidings/contract';
import { videoProgress } from '../videos/video-progress.js';

/** A job event as surfaces receive it, with lookups shared between them. */
export interface JobActivity {
  readonly event: JobEvent;
  /** The job's steps, in order, when it is a flow (a video pipeline); none otherwise. Read once, on first ask. */
  steps(): Promise<readonly Job[]>;
  /** The video's progress when the event is a video pipeline's (worked out once, on first ask). */
  video(): Promise<VideoProgressUpdate | undefined>;
}

/** A client-facing API over the job engine (a hub and its payloads): seed 001's, later seed 000's. */
export interface Surface {
  readonly name: string;
  publish(activity: JobActivity): Promise<void>;
}

/**
 * The one sink the engine feeds: each event goes to every surface, in order
 * per job. A surface that fails is logged and counted; the others still get
 * the event.
 */
export class EventFanIn implements JobEventSink {
  readonly name = 'surfaces';
  readonly metrics = { delivered: 0, surfaceFailures: 0 };
  private readonly surfaces: Surface[] = [];

  constructor(
    private readonly engine: Pick<JobEngine, 'children'>,
    private readonly logger: Logger,
  ) {}

  add(surface: Surface): void {
    this.surfaces.push(surface);
  }

  async deliver(event: JobEvent): Promise<void> {
    const job = event.job;
    let steps: Promise<readonly Job[]> | undefined;
    let video: Promise<VideoProgressUpdate | undefined> | undefined;
    const activity: JobActivity = {
      event,
      steps: () => (steps ??= job.steps ? this.engine.children(job.id) : Promise.resolve([])),
      video: () => (video ??= job.steps && job.subject !== null ? activity.steps().then((s) => videoProgress(job, s)) : Promise.resolve(undefined)),
    };
    await Promise.all(
      this.surfaces.map(async (surface) => {
        try {
          await surface.publish(activity);
          this.metrics.delivered++;
        } catch (error) {
          this.metrics.surfaceFailures++;
          this.logger.warn({ surface: surface.name, jobId: event.jobId, sequence: event.sequence, err: error }, 'a surface failed to publish a job event');
        }
      }),
    );
  }
}
