import { Hub } from '@tidings/hub';
import type { JobProgressHubEvents, JobProgressUpdate, VideoProgressUpdate } from '@tidings/contract';

/** What the hub asks of its surface; every method gets the hub instance of the invocation. */
export interface JobProgressOperations {
  connected(hub: JobProgressHub): Promise<void>;
  subscribeToJob(hub: JobProgressHub, jobId: unknown): Promise<void>;
  unsubscribeFromJob(hub: JobProgressHub, jobId: unknown): Promise<void>;
  subscribeToVideo(hub: JobProgressHub, videoId: unknown): Promise<void>;
  unsubscribeFromVideo(hub: JobProgressHub, videoId: unknown): Promise<void>;
  getJobProgress(hub: JobProgressHub, jobId: unknown): Promise<JobProgressUpdate | null>;
  getVideoProgress(hub: JobProgressHub, videoId: unknown): Promise<VideoProgressUpdate | null>;
}

/**
 * `/hubs/job-progress` (seed 001 §3). Method names match case-insensitively,
 * so `SubscribeToJob` reaches `subscribeToJob`. Connections join
 * `user-{userId}` on connect.
 */
export class JobProgressHub extends Hub<JobProgressHubEvents> {
  constructor(private readonly operations: JobProgressOperations) {
    super();
  }

  override async onConnected(): Promise<void> {
    await this.operations.connected(this);
  }

  subscribeToJob(jobId: unknown): Promise<void> {
    return this.operations.subscribeToJob(this, jobId);
  }

  unsubscribeFromJob(jobId: unknown): Promise<void> {
    return this.operations.unsubscribeFromJob(this, jobId);
  }

  subscribeToVideo(videoId: unknown): Promise<void> {
    return this.operations.subscribeToVideo(this, videoId);
  }

  unsubscribeFromVideo(videoId: unknown): Promise<void> {
    return this.operations.unsubscribeFromVideo(this, videoId);
  }

  getJobProgress(jobId: unknown): Promise<JobProgressUpdate | null> {
    return this.operations.getJobProgress(this, jobId);
  }

  getVideoProgress(videoId: unknown): Promise<VideoProgressUpdate | null> {
    return this.operations.getVideoProgress(this, videoId);
  }
}
