import { type ConnectionState, type JobOutput, JobProgressClient, type JsonObject, type MetadataOf, type OutputOf, type ResultOf } from '@tidings/client';
import { isTerminalStatus } from '@tidings/contract';
import { useCallback, useEffect, useMemo, useSyncExternalStore } from 'react';
import type { JobProgressState } from './job-progress-state.js';
import { useTidingsClient } from './tidings-provider.js';
import { useWatchedJob } from './use-watched-job.js';

export interface UseJobOptions {
  /**
   * A follow token for this job (`POST /api/v1/jobs/:id/subscribe-token`, or
   * `token: true` on submit): the hook then follows the job on a connection
   * of its own, with no user session needed.
   */
  readonly token?: string;
}

/** What `useJob` knows about a job, typed from its job type's definition `T` (an `import type` of a `JobType`). */
export interface UseJobResult<T = unknown> extends JobProgressState {
  readonly isFinished: boolean;
  /** The job's metadata as of its latest update. */
  readonly metadata: MetadataOf<T> | null;
  /** Every output item the job wrote so far, in order (the truncation marker included, `truncated: true`). */
  readonly output: readonly (Omit<JobOutput, 'data'> & { readonly data: OutputOf<T> })[];
  /** What the processor returned, once the job completed. */
  readonly result: ResultOf<T> | null;
  readonly connectionState: ConnectionState;
}

/** One job's events folded into its state, and its output items, from the first (replayed, then live). */
export function useJob<T = unknown>(jobId: string | null | undefined, options: UseJobOptions = {}): UseJobResult<T> {
  const shared = useTidingsClient();
  const token = options.token;
  // A follow token is its own identity: a connection of its own, made and stopped with the hook.
  const own = useMemo(() => (token ? new JobProgressClient({ baseUrl: shared.api.baseUrl, accessToken: token }) : null), [shared, token]);
  const client = own ?? shared;
  useEffect(() => {
    if (!own) return;
    own.start().catch(() => undefined); // a refused token surfaces through the watch below
    return () => void own.stop();
  }, [own]);

  const subscribe = useCallback((changed: () => void) => client.onStateChange(changed), [client]);
  const connectionState = useSyncExternalStore(subscribe, () => client.state, () => 'disconnected' as const);
  const { state: current, output: items } = useWatchedJob(client, jobId, true);
  return {
    ...current,
    isFinished: current.status !== null && isTerminalStatus(current.status),
    metadata: (current.progress?.metadata ?? null) as (JsonObject & MetadataOf<T>) | null,
    output: items as unknown as UseJobResult<T>['output'], // typed from the definition: the server checks nothing here
    result: (current.completed?.result ?? null) as ResultOf<T> | null,
    connectionState,
  };
}
