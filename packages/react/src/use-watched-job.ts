import { type JobOutput, type JobProgressClient, jobProgressUpdateOf } from '@tidings/client';
import { useEffect, useReducer, useState } from 'react';
import { INITIAL_JOB_PROGRESS, type JobProgressState, jobProgressReducer } from './job-progress-state.js';

export interface WatchedJob {
  /** The job's events folded into its state; the initial state until the first event or snapshot of this id. */
  readonly state: JobProgressState;
  /** Its output items in order (only when asked to replay them; empty otherwise). */
  readonly output: readonly JobOutput[];
}

/**
 * What `useJob` and `useJobProgress` share: watch one job on `client`, fold its
 * events into its state (no stale closure), start from its REST snapshot (a job
 * that already finished starts with its terminal event, which lacks the stage and
 * type), and leave nothing subscribed after unmount or an id change.
 * `replayOutput` replays the job's history from its first event, output included.
 */
export function useWatchedJob(client: JobProgressClient, jobId: string | null | undefined, replayOutput: boolean): WatchedJob {
  const [state, dispatch] = useReducer(jobProgressReducer, INITIAL_JOB_PROGRESS);
  const [output, setOutput] = useState<{ jobId: string | null; items: JobOutput[] }>({ jobId: null, items: [] });

  useEffect(() => {
    dispatch({ type: 'reset', jobId: jobId ?? null });
    setOutput({ jobId: jobId ?? null, items: [] });
    if (!jobId) return;
    let active = true;
    const options = replayOutput
      ? {
          after: 0, // output is history: replay it all
          onOutput: (item: JobOutput) => setOutput((previous) => ({ jobId, items: previous.jobId === jobId ? [...previous.items, item] : [item] })),
        }
      : undefined;
    const watch = client.watchJob(jobId, (event) => dispatch({ type: 'event', event }), options);
    watch.ready.catch((error: unknown) => {
      if (active) dispatch({ type: 'unavailable', message: error instanceof Error ? error.message : String(error) });
    });
    client.getJob(jobId).then(
      (job) => active && dispatch({ type: 'snapshot', update: jobProgressUpdateOf(job) }),
      () => undefined, // the watch reports why the job cannot be followed
    );
    return () => {
      active = false;
      watch.close();
    };
  }, [client, jobId, replayOutput]);

  // Until the reset for a new id has rendered, the state is still the previous job's.
  const current = state.jobId === (jobId ?? null) ? state : INITIAL_JOB_PROGRESS;
  return { state: current, output: output.jobId === (jobId ?? null) ? output.items : [] };
}
