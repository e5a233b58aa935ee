export {
  JobProgressClient,
  ClientStoppedError,
  JOB_PROGRESS_HUB_PATH,
  type JobProgressClientOptions,
  type SubscribeOptions,
  type ConnectionState,
} from './job-progress-client.js';
export type { JobWatch } from './job-feed.js';
export { TidingsApi, TidingsApiError, type TidingsApiOptions } from './rest-api.js';
export type { AccessTokenSource } from './access-token.js';
export type { ClientLogger, LogLevelName } from './logger.js';
export { DEFAULT_RECONNECT_DELAYS_MS } from './backoff.js';
export { eventFromHistory, jobProgressUpdateOf } from './history.js';
export { SequencedFeed, FeedClosedError, type SequencedFeedOptions, type HistoryPage } from './sequenced-feed.js';
export {
  isTerminalStatus,
  statusAfter,
  TERMINAL_STATUSES,
  type JobStatus,
  type JobEvent,
  type JobProgressUpdate,
  type JobCompleted,
  type JobFailed,
  type VideoProgressUpdate,
  type StageProgress,
  type Notification,
  type HubError,
  type JsonObject,
  type JsonValue,
} from './payloads.js';
export type {
  Job,
  FlowStep,
  JobHistoryEvent,
  JobHistoryKind,
  JobHistoryPage,
  JobListQuery,
  IngestVideoRequest,
  IngestVideoResponse,
  DevToken,
  ServiceHealth,
} from './rest-types.js';
