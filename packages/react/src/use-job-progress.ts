import { type ConnectionState, jobProgressUpdateOf } from '@tidings/client';
import { isTerminalStatus } from '@tidings/contract';
import { useCallback, useEffect, useReducer } from 'react';
import { INITIAL_JOB_PROGRESS, type JobProgressState, jobProgressReducer } from './job-progress-state.js';
import { useConnectionState } from './use-connection-state.js';
import { useTidingsClient } from './tidings-provider.js';

export interface UseJobProgressResult extends JobProgressState {
  /** Completed, Failed or Cancelled. */
  readonly isFinished: boolean;
  readonly connectionState: ConnectionState;
  /** Cancels the job (REST); rejects with the service's reason (409 when it already finished). */
  cancel(): Promise<void>;
  /** Runs a failed or cancelled job again. */
  retry(): Promise<void>;
}

/**
 * Seed 001's `useJobProgress(jobId)` on the shared client: one connection
 * for all hooks, re-subscribed and caught up after every reconnect, every
 * event folded into the previous state (no stale closure), and nothing left
 * subscribed after unmount.
 */
export function useJobProgress(jobId: string | null | undefined): UseJobProgressResult {
  const client = useTidingsClient();
  const connectionState = useConnectionState();
  const [state, dispatch] = useReducer(jobProgressReducer, INITIAL_JOB_PROGRESS);

  useEffect(() => {
    dispatch({ type: 'reset', jobId: jobId ?? null });
    if (!jobId) return;
    let active = true;
    const watch = client.watchJob(jobId, (event) => dispatch({ type: 'event', event }));
    watch.ready.catch((error: unknown) => {
      if (active) dispatch({ type: 'unavailable', message: error instanceof Error ? error.message : String(error) });
    });
    // A job that already finished starts with its terminal event, which lacks the stage and type: REST has them.
    client.getJob(jobId).then(
      (job) => active && dispatch({ type: 'snapshot', update: jobProgressUpdateOf(job) }),
      () => undefined, // the watch reports why the job cannot be followed
    );
    return () => {
      active = false;
      watch.close();
    };
  }, [client, jobId]);

  const cancel = useCallback(async () => {
    if (jobId) await client.cancelJob(jobId);
  }, [client, jobId]);
  const retry = useCallback(async () => {
    if (jobId) await client.retryJob(jobId);
  }, [client, jobId]);

  // Until the reset for a new id has rendered, the state is still the previous job's.
  const current = state.jobId === (jobId ?? null) ? state : INITIAL_JOB_PROGRESS;
  return { ...current, isFinished: current.status !== null && isTerminalStatus(current.status), connectionState, cancel, retry };
}
