import type { ConnectionState } from '@tidings/client';
import { isTerminalStatus } from '@tidings/contract';
import { useCallback } from 'react';
import type { JobProgressState } from './job-progress-state.js';
import { useConnectionState } from './use-connection-state.js';
import { useTidingsClient } from './tidings-provider.js';
import { useWatchedJob } from './use-watched-job.js';

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
  const { state: current } = useWatchedJob(client, jobId, false);

  const cancel = useCallback(async () => {
    if (jobId) await client.cancelJob(jobId);
  }, [client, jobId]);
  const retry = useCallback(async () => {
    if (jobId) await client.retryJob(jobId);
  }, [client, jobId]);

  return { ...current, isFinished: current.status !== null && isTerminalStatus(current.status), connectionState, cancel, retry };
}
