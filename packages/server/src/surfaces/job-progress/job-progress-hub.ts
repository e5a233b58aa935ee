import { Hub, hubMethod } from '@tidings/hub';
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
 * `/hubs/job-progress`. Method names match case-insensitively,
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

  @hubMethod('SubscribeToJob')
  subscribeToJob(jobId: unknown): Promise<void> {
    return this.operations.subscribeToJob(this, jobId);
  }

  @hubMethod('UnsubscribeFromJob')
  unsubscribeFromJob(jobId: unknown): Promise<void> {
    return this.operations.unsubscribeFromJob(this, jobId);
  }

  @hubMethod('SubscribeToVideo')
  subscribeToVideo(videoId: unknown): Promise<void> {
    return this.operations.subscribeToVideo(this, videoId);
  }

  @hubMethod('UnsubscribeFromVideo')
  unsubscribeFromVideo(videoId: unknown): Promise<void> {
    return this.operations.unsubscribeFromVideo(this, videoId);
  }

  @hubMethod('GetJobProgress')
  getJobProgress(jobId: unknown): Promise<JobProgressUpdate | null> {
    return this.operations.getJobProgress(this, jobId);
  }

  @hubMethod('GetVideoProgress')
  getVideoProgress(videoId: unknown): Promise<VideoProgressUpdate | null> {
    return this.operations.getVideoProgress(this, videoId);
  }
}
