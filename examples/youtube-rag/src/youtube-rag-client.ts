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

const JOB_GROUP = 'job-';

/** The groups `/hubs/progress` sends to: a job's subscribers, and a user's connections. */
export const youtubeRagGroups = {
  job: (jobId: string) => `${JOB_GROUP}${jobId}`,
  user: (userId: string) => `user-${userId}`,
  /** The job whose subscribers `group` is; undefined for any other group. */
  jobOf: (group: string): string | undefined => (group.startsWith(JOB_GROUP) && group.length > JOB_GROUP.length ? group.slice(JOB_GROUP.length) : undefined),
};
