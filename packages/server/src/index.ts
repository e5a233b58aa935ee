export { createTidingsServer, type TidingsServer, type TidingsServerOptions } from './server.js';
export { loadConfig, ConfigError, DEFAULT_CONFIG, type ServerConfig, type LogLevel } from './config.js';
export { demoProcessors, simulatedVideoIngestion, simulatedTranscription, simulatedEmbeddingGeneration, type ProcessorSet } from './demo/simulated-processors.js';
export { SimulatedWork } from './demo/simulated-work.js';
export { startDemoVideos, startDemoVideosIfEmpty } from './demo/demo-videos.js';
export { EventFanIn, type Surface, type JobActivity } from './events/event-fan-in.js';
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
export { AuthService, type AuthMode } from './auth/auth-service.js';
export { AccessPolicy } from './auth/access-policy.js';
export type { Identity } from './auth/identity.js';
export { SIGNALR_BUNDLE_PATH } from './http/routes/static-assets.js';
