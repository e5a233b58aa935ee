import type { ErrorMessage, JobCancelledMessage, JobCompletedDto, JobFailedDto, JobProgressDto, JobStatusDto, UserNotification } from './payloads.js';

/** Seed 000's hub paths. */
export const PROGRESS_HUB_PATH = '/hubs/progress';
export const NOTIFICATIONS_HUB_PATH = '/hubs/notifications';

/** Seed 000's `IJobProgressClient`: the events `/hubs/progress` sends, camelCase as the seed names them. */
export interface YoutubeRagProgressClient {
  [method: string]: (...args: never[]) => unknown;
  onJobStatusUpdate(status: JobStatusDto): void;
  onJobProgress(progress: JobProgressDto): void;
  onJobCompleted(completed: JobCompletedDto): void;
  onJobFailed(failed: JobFailedDto): void;
  onJobCancelled(cancelled: JobCancelledMessage): void;
  onError(error: ErrorMessage): void;
}

/** What `/hubs/notifications` sends to a YoutubeRag user (the seed names no events for it; see the README). */
export interface YoutubeRagNotificationsClient {
  [method: string]: (...args: never[]) => unknown;
  onNotification(notification: UserNotification): void;
}

export const youtubeRagGroups = {
  job: (jobId: string) => `job-${jobId}`,
  user: (userId: string) => `user-${userId}`,
};
