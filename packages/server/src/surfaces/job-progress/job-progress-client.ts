import type { VideoProgress } from '../../videos/video-progress.js';
import type { HubError, JobCompleted, JobFailed, JobProgressUpdate, Notification } from './payloads.js';

/** The events `/hubs/job-progress` sends (seed 001 §4). */
export interface JobProgressClient {
  [method: string]: (...args: never[]) => unknown;
  JobProgressUpdate(update: JobProgressUpdate): void;
  JobCompleted(completed: JobCompleted): void;
  JobFailed(failed: JobFailed): void;
  VideoProgressUpdate(progress: VideoProgress): void;
  UserNotification(notification: Notification): void;
  BroadcastNotification(notification: Notification): void;
  Error(error: HubError): void;
}

export const JOB_PROGRESS_HUB_PATH = '/hubs/job-progress';

export const JOB_PROGRESS_EVENTS = [
  'JobProgressUpdate',
  'JobCompleted',
  'JobFailed',
  'VideoProgressUpdate',
  'UserNotification',
  'BroadcastNotification',
  'Error',
] as const;

export const groups = {
  job: (jobId: string) => `job-${jobId}`,
  video: (videoId: string) => `video-${videoId}`,
  user: (userId: string) => `user-${userId}`,
};
