import type { HubError, JobCompleted, JobFailed, JobProgressUpdate, Notification, VideoProgressUpdate } from './payloads.js';

/** Where the job-progress hub is mapped. */
export const JOB_PROGRESS_HUB_PATH = '/hubs/job-progress';

/**
 * The events `/hubs/job-progress` sends, by wire name: what a connection to it
 * may `on(...)`. The server types its hub's clients with this; clients type their handlers.
 */
export interface JobProgressHubEvents {
  [method: string]: (...args: never[]) => unknown;
  JobProgressUpdate(update: JobProgressUpdate): void;
  JobCompleted(completed: JobCompleted): void;
  JobFailed(failed: JobFailed): void;
  VideoProgressUpdate(progress: VideoProgressUpdate): void;
  UserNotification(notification: Notification): void;
  BroadcastNotification(notification: Notification): void;
  Error(error: HubError): void;
}

export const JOB_PROGRESS_EVENTS = [
  'JobProgressUpdate',
  'JobCompleted',
  'JobFailed',
  'VideoProgressUpdate',
  'UserNotification',
  'BroadcastNotification',
  'Error',
] as const satisfies readonly (keyof JobProgressHubEvents)[];

/** The methods a client invokes on `/hubs/job-progress`, by wire name. */
export const JOB_PROGRESS_METHODS = {
  subscribeToJob: 'SubscribeToJob',
  unsubscribeFromJob: 'UnsubscribeFromJob',
  subscribeToVideo: 'SubscribeToVideo',
  unsubscribeFromVideo: 'UnsubscribeFromVideo',
  getJobProgress: 'GetJobProgress',
  getVideoProgress: 'GetVideoProgress',
} as const;

/** The groups the hub sends to: a job's subscribers, a video's, and a user's connections. */
export const jobProgressGroups = {
  job: (jobId: string) => `job-${jobId}`,
  video: (videoId: string) => `video-${videoId}`,
  user: (userId: string) => `user-${userId}`,
} as const;
