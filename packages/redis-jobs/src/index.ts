export { RedisJobCluster, type RedisJobClusterOptions, type ClusterEngineOptions } from './redis-job-cluster.js';
export { ClusterJobEngine, type ClusterJobEngineOptions } from './cluster-job-engine.js';
export { JobWorker, type JobWorkerOptions, type WorkerEngineOptions } from './job-worker.js';
export { RedisJobStore, type RedisJobStoreOptions, type FeedPosition } from './redis-job-store.js';
export { BullMqQueue, type BullMqQueueOptions } from './bullmq-queue.js';
export { JobEventFeed, type JobEventFeedOptions, type FeedMetrics } from './job-event-feed.js';
export { JobControl, type JobControlOptions, type ControlHandler } from './job-control.js';
export { JobWriteRejectedError, type RejectionReason, quietRejections } from './job-write-rejected.js';
export { startJobWorker, type StartJobWorkerOptions, type RunningJobWorker } from './start-job-worker.js';
