import type { HubError, JobCompleted, JobFailed, JobOutput, JobProgressUpdate, Notification, VideoProgressUpdate } from './payloads.js';

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
  JobOutput(output: JobOutput): void;
  VideoProgressUpdate(progress: VideoProgressUpdate): void;
  UserNotification(notification: Notification): void;
  BroadcastNotification(notification: Notification): void;
  Error(error: HubError): void;
}

export const JOB_PROGRESS_EVENTS = [
  'JobProgressUpdate',
  'JobCompleted',
  'JobFailed',
  'JobOutput',
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
  /** Every job with the tag that the caller may read, new ones included; answers the current state of those jobs (at most 100, newest first). */
  subscribeToTag: 'SubscribeToTag',
  unsubscribeFromTag: 'UnsubscribeFromTag',
} as const;

/**
 * The groups the hub sends to: a job's subscribers, a video's, a user's
 * connections, and a tag's followers. A tag's group is per owner (`ownerId`
 * null for jobs without one), so users never see each other's jobs; `anyOwner`
 * is every owner's jobs with the tag, which only open development mode joins.
 * Tag groups are JSON-encoded so no owner or tag can forge another's name.
 */
export const jobProgressGroups = {
  job: (jobId: string) => `job-${jobId}`,
  video: (videoId: string) => `video-${videoId}`,
  user: (userId: string) => `user-${userId}`,
  tag: (ownerId: string | null, tag: string) => `tag:${JSON.stringify([ownerId, tag])}`,
  anyOwnerTag: (tag: string) => `tag:${JSON.stringify([tag])}`,
} as const;
