import type { ErrorMessage, JobCancelledMessage, JobCompletedDto, JobFailedDto, JobProgressDto, JobStatusDto } from './payloads.js';

/** YoutubeRag's progress hub (its `/hubs/notifications` is mapped with Conduit's, see the Conduit example). */
export const PROGRESS_HUB_PATH = '/hubs/progress';

/** YoutubeRag's `IJobProgressClient`: the events `/hubs/progress` sends, camelCase as YoutubeRag names them. */
export interface YoutubeRagProgressClient {
  [method: string]: (...args: never[]) => unknown;
  onJobStatusUpdate(status: JobStatusDto): void;
  onJobProgress(progress: JobProgressDto): void;
  onJobCompleted(completed: JobCompletedDto): void;
  onJobFailed(failed: JobFailedDto): void;
  onJobCancelled(cancelled: JobCancelledMessage): void;
  onError(error: ErrorMessage): void;
}

export const youtubeRagGroups = {
  job: (jobId: string) => `job-${jobId}`,
  user: (userId: string) => `user-${userId}`,
};
