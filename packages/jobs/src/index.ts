export {
  type Job,
  type JobStage,
  type JobStatus,
  type StageStatus,
  type JobEvent,
  type JobEventKind,
  type JobFilter,
  type JobOutputItem,
  type JobOutputStats,
  type FlowStep,
  type JsonValue,
  type JsonObject,
  JOB_STATUSES,
  JobPriority,
  isTerminal,
  withCurrentFields,
} from './model.js';
export {
  JobEngine,
  type JobEngineOptions,
  type JobEngineParts,
  type EngineWorker,
  type NewJob,
  type NewFlow,
  type NewFlowStep,
  type EngineMetrics,
  type Submission,
} from './engine/job-engine.js';
export { JobQueue, type JobQueueOptions } from './queue/job-queue.js';
export { JobRegistry, type DefinitionListener } from './queue/job-registry.js';
export { type JobDispatcher, type JobHolder, dispatchJob } from './queue/job-dispatcher.js';
export { LocalJobWorker, type LocalJobWorkerOptions } from './worker/local-job-worker.js';
export { Executor, type ExecutorOptions, type ExecuteOptions, type ExecutorDefaults, type AttemptSettings, executorDefaults } from './engine/executor.js';
export { FlowCoordinator } from './engine/flow-coordinator.js';
export type { JobProcessor, ProcessorContext, ProcessorOptions, JobOutcome, Backoff, OutputLimits, ProcessorDefinition } from './engine/processor.js';
export { MAX_TAGS, MAX_TAG_LENGTH, MAX_IDEMPOTENCY_KEY_LENGTH } from './engine/submission.js';
export { RECOVERED_MESSAGE } from './engine/recovery.js';
export { type JobEventSink, type SinkDelivery, deliverToSinks } from './events/job-event-sink.js';
export type { JobEvents, JobEventsMetrics } from './events/job-events.js';
export { LocalJobEvents, type LocalJobEventsOptions } from './events/local-job-events.js';
export { type JobEventLine, OrderedWrites } from './events/job-event-line.js';
export { JobEventWriter, type JobEventWriterOptions, type WriterMetrics } from './events/job-event-writer.js';
export { ProgressNotifier, type ProgressNotifierOptions, type NotifierMetrics } from './events/progress-notifier.js';
export { KeyedMutex } from './keyed-mutex.js';
export { ProgressThrottle, type ThrottleOptions } from './events/progress-throttle.js';
export type { JobStore } from './store/job-store.js';
export { DELTA_EVENT_KINDS, type JobDelta, isDeltaKind, jobDelta, withDelta } from './job-delta.js';
export { SqliteJobStore } from './store/sqlite-job-store.js';
export type { JobRunner, RunnerItem, ExecuteJob, RunnerStats } from './runner/job-runner.js';
export { InProcessRunner, type InProcessRunnerOptions } from './runner/in-process-runner.js';
export { type Clock, type TimerHandle, systemClock, ManualClock } from './clock.js';
export { type JobLogger, silentJobLogger } from './logger.js';
export {
  JobNotFoundError,
  JobStateError,
  PermanentJobError,
  JobCancelledError,
  JobInterruptedError,
  JobTimeoutError,
  UnknownJobTypeError,
  JobInputError,
  type InputProblem,
} from './errors.js';
export { defineJobType, type JobType, type JobTypeDefinition, type JobTypeOptions, type TypedJob, type TypedOutcome, type TypedProcessor, type TypedProcessorContext } from './job-type.js';
