export {
  JOB_PROGRESS_HUB_PATH,
  JOB_PROGRESS_EVENTS,
  JOB_PROGRESS_METHODS,
  jobProgressGroups,
  type JobProgressHubEvents,
} from './job-progress-hub.js';
export {
  isTerminalStatus,
  statusAfter,
  jobEvent,
  jobOutputEvent,
  TERMINAL_STATUSES,
  type ErrorCode,
  type JobStatus,
  type JobEvent,
  type JobFeedEvent,
  type JobProgressUpdate,
  type JobCompleted,
  type JobFailed,
  type JobOutput,
  type VideoProgressUpdate,
  type ProcessingStatus,
  type StepStatus,
  type EmbeddingStatus,
  type StageProgress,
  type Notification,
  type HubError,
  type JsonObject,
  type JsonValue,
} from './payloads.js';
export type { Job, FlowStep, JobHistoryKind, JobHistoryEvent, JobHistoryPage } from './rest-job.js';
export {
  jobProgressUpdateOf,
  jobCompletedOf,
  jobFailedOf,
  jobOutputOf,
  VIDEO_JOB_TYPES,
  TRACEPARENT_KEY,
} from './job-payloads.js';
export { SequencedFeed, FeedClosedError, type SequencedFeedOptions, type HistoryPage } from './sequenced-feed.js';
export { DEFAULT_RECONNECT_DELAYS_MS, reconnectDelay, cancellableDelay } from './backoff.js';
