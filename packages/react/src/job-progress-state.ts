import type { JobCompleted, JobEvent, JobFailed, JobProgressUpdate, JobStatus } from '@tidings/contract';

/** What `useJobProgress` knows about a job. */
export interface JobProgressState {
  /** The job this state is about. */
  readonly jobId: string | null;
  /** The job's latest state (seed 001's `progress`); null until the first event or snapshot. */
  readonly progress: JobProgressUpdate | null;
  readonly status: JobStatus | null;
  /** Why the job failed, or why it cannot be followed. */
  readonly error: string | null;
  readonly completed: JobCompleted | null;
  readonly failed: JobFailed | null;
  /** The highest sequence folded in. */
  readonly sequence: number;
}

export type JobProgressAction =
  | { readonly type: 'reset'; readonly jobId: string | null }
  | { readonly type: 'event'; readonly event: JobEvent }
  /** The job's state read over REST: richer than a terminal event, but maybe older than what arrived. */
  | { readonly type: 'snapshot'; readonly update: JobProgressUpdate }
  | { readonly type: 'unavailable'; readonly message: string };

export const INITIAL_JOB_PROGRESS: JobProgressState = { jobId: null, progress: null, status: null, error: null, completed: null, failed: null, sequence: 0 };

/**
 * Folds a job's events into its state. Each step builds on the previous
 * state it is given — never on a value captured when a callback was made,
 * which is the stale-closure bug of seed 001's hook (its `JobCompleted`
 * handler spread the `progress` of the first render: null).
 */
export function jobProgressReducer(state: JobProgressState, action: JobProgressAction): JobProgressState {
  switch (action.type) {
    case 'reset':
      return { ...INITIAL_JOB_PROGRESS, jobId: action.jobId };
    case 'unavailable':
      return { ...state, error: action.message };
    case 'snapshot':
      if (action.update.sequence < state.sequence) return state;
      return {
        ...state,
        progress: action.update,
        status: action.update.status,
        error: action.update.status === 'Failed' ? (state.error ?? action.update.errorMessage) : state.error,
        sequence: action.update.sequence,
      };
    case 'event':
      return action.event.sequence <= state.sequence ? state : applyEvent(state, action.event);
  }
}

function applyEvent(state: JobProgressState, event: JobEvent): JobProgressState {
  const sequence = event.sequence;
  if (event.type === 'JobProgressUpdate') {
    const update = event.payload;
    // A retried job starts over: its earlier outcome no longer applies.
    const failed = update.status === 'Failed' ? state.failed : null;
    const error = update.status === 'Failed' ? (update.errorMessage ?? state.error) : null;
    return { ...state, progress: update, status: update.status, error, completed: null, failed, sequence };
  }
  if (event.type === 'JobCompleted') {
    const completed = event.payload;
    const progress = state.progress && {
      ...state.progress,
      status: 'Completed' as const,
      progress: 100,
      statusMessage: completed.message,
      errorMessage: null,
      updatedAt: completed.completedAt,
      estimatedCompletion: null,
      sequence,
    };
    return { ...state, progress, status: 'Completed', error: null, completed, failed: null, sequence };
  }
  const failed = event.payload;
  const progress = state.progress && { ...state.progress, status: 'Failed' as const, errorMessage: failed.error, updatedAt: failed.failedAt, estimatedCompletion: null, sequence };
  return { ...state, progress, status: 'Failed', error: failed.error, completed: null, failed, sequence };
}
