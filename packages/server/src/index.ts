export { createTidingsServer, type TidingsServer, type TidingsServerOptions } from './server.js';
export { loadConfig, ConfigError, DEFAULT_CONFIG, type ServerConfig, type LogLevel } from './config.js';
export { demoProcessors, simulatedVideoIngestion, simulatedTranscription, simulatedEmbeddingGeneration, type ProcessorSet } from './demo/simulated-processors.js';
export { SimulatedWork } from './demo/simulated-work.js';
export { startDemoVideos, startDemoVideosIfEmpty } from './demo/demo-videos.js';
// The plugin API: what a system built on the service (the examples, a user's app) uses.
export { definePlugin, type TidingsPlugin, type PluginContext, type AnyJobType } from './plugins/tidings-plugin.js';
export type { HubTenant, SharedHub } from './plugins/shared-hub.js';
export { loadPlugins, type TidingsPluginModule } from './plugins/load-plugins.js';
export { JobEventRouter, type JobActivity, type JobActivityHandler, type JobTypeRoute } from './events/job-event-router.js';
export { subscribeWithSnapshot, type SnapshotSubscription } from './events/subscribe-with-snapshot.js';
export { guardHubMethod, requireValidId, type ReportError } from './surfaces/shared/hub-method-guard.js';
export { jsonObject, jsonField, jsonString, jsonNumber } from './surfaces/shared/json-fields.js';
export { idProblem, ID_SCHEMA } from './ids.js';
export { allowConfiguredOrigins, identifyRequests, authenticateRequests, type CredentialRefusal } from './http/plugin-guards.js';
export { sendError, unauthorized, tooManyFailedAttempts } from './http/http-errors.js';
export { ownerNotification } from './surfaces/job-progress/payloads.js';
export { createLogger, type Logger } from './logger.js';
export { JobProgressSurface } from './surfaces/job-progress/job-progress-surface.js';
export { JobProgressHub } from './surfaces/job-progress/job-progress-hub.js';
export {
  JOB_PROGRESS_HUB_PATH,
  JOB_PROGRESS_EVENTS,
  type JobProgressHubEvents,
  type JobProgressUpdate,
  type JobCompleted,
  type JobFailed,
  type VideoProgressUpdate,
  type StageProgress,
  type Notification,
  type HubError,
  type ErrorCode,
} from '@tidings/contract';
export { VideoPipeline, PIPELINE_STEPS, PIPELINE_TYPE, parsePriority } from './videos/video-pipeline.js';
export { AuthService, Unauthenticated, type AuthMode, type AuthOptions } from './auth/auth-service.js';
export { UserIdRule, DEFAULT_USER_ID_CLAIMS, type UserIdResolution } from './auth/user-id-rule.js';
export { FailedAuthThrottle, type FailedAuthThrottleOptions } from './auth/failed-auth-throttle.js';
export { FetchUrlGuard, type FetchUrlGuardOptions } from './http/fetch-url-guard.js';
export { AccessPolicy } from './auth/access-policy.js';
export { type Identity, ANONYMOUS, identityOf } from './auth/identity.js';
export { SIGNALR_BUNDLE_PATH } from './http/routes/static-assets.js';
