export { TidingsProvider, useTidingsClient, type TidingsProviderProps } from './tidings-provider.js';
export { useConnectionState } from './use-connection-state.js';
export { useJobProgress, type UseJobProgressResult } from './use-job-progress.js';
export { useJob, type UseJobOptions, type UseJobResult } from './use-job.js';
export { useJobsByTag, type UseJobsByTagResult } from './use-jobs-by-tag.js';
export { jobProgressReducer, INITIAL_JOB_PROGRESS, type JobProgressState, type JobProgressAction } from './job-progress-state.js';
export { JobProgressTracker, type JobProgressTrackerProps } from './job-progress-tracker.js';
export { ProgressBar, type ProgressBarProps } from './progress-bar.js';
