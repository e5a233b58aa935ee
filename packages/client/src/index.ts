export {
  JobProgressClient,
  ClientStoppedError,
  type JobProgressClientOptions,
  type SubscribeOptions,
  type WatchOptions,
  type ConnectionState,
} from './job-progress-client.js';
export type { JobWatch } from './job-feed.js';
export { TidingsApi, TidingsApiError, type TidingsApiOptions } from './rest-api.js';
export type { AccessTokenSource } from './access-token.js';
export type { ClientLogger, LogLevelName } from './logger.js';
export { eventFromHistory, feedEventFromHistory } from './history.js';
// The wire contract, re-exported so a client app needs one import.
export {
  JOB_PROGRESS_HUB_PATH,
  DEFAULT_RECONNECT_DELAYS_MS,
  SequencedFeed,
  FeedClosedError,
  type SequencedFeedOptions,
  type HistoryPage,
  isTerminalStatus,
  statusAfter,
  TERMINAL_STATUSES,
  type JobStatus,
  type JobEvent,
  type JobFeedEvent,
  type JobOutput,
  type JobProgressUpdate,
  type JobCompleted,
  type JobFailed,
  type VideoProgressUpdate,
  type StageProgress,
  type Notification,
  type HubError,
  type JsonObject,
  type JsonValue,
  type Job,
  type FlowStep,
  type JobHistoryEvent,
  type JobHistoryKind,
  type JobHistoryPage,
  jobProgressUpdateOf,
} from '@tidings/contract';
export type {
  JobListQuery,
  IngestVideoRequest,
  IngestVideoResponse,
  DevToken,
  ServiceHealth,
  SubmitJobRequest,
  SubmitJobResponse,
  FollowToken,
  JobTypeInfo,
} from './rest-types.js';
export type { InputOf, ResultOf, MetadataOf, OutputOf } from './job-type-shape.js';
