import { type Job, type JobProgressClient, TidingsApiError } from '@tidings/client';
import type { JobEvent } from '@tidings/contract';
import { useEffect, useMemo, useState } from 'react';
import { coalesced } from './coalesced-refresh.js';
import { newer, withEvent } from './job-rows.js';

export interface JobDetail {
  /** The job with its stages; null until read. */
  readonly job: Job | null;
  /** Every event of the job from the first, in order. */
  readonly events: readonly JobEvent[];
  readonly error: string | null;
}

/** One job in full: its whole event history then its live events (one gapless list), and its stages re-read as it moves. */
export function useJobDetail(client: JobProgressClient, jobId: string): JobDetail {
  const [job, setJob] = useState<Job | null>(null);
  const [events, setEvents] = useState<readonly JobEvent[]>([]);
  const [error, setError] = useState<string | null>(null);
  const refresh = useMemo(
    () =>
      coalesced(async (id) => {
        const fetched = await client.getJob(id);
        setJob((current) => newer(current ?? undefined, fetched));
      }),
    [client],
  );

  useEffect(() => {
    setJob(null);
    setEvents([]);
    setError(null);
    const watch = client.watchJob(
      jobId,
      (event) => {
        setEvents((current) => [...current, event]);
        setJob((current) => current && withEvent(current, event));
        refresh(jobId);
      },
      { after: 0 },
    );
    watch.ready.catch((failure: unknown) => {
      setError(failure instanceof TidingsApiError && failure.status === 404 ? `Job ${jobId} was not found.` : String(failure));
    });
    refresh(jobId);
    return () => watch.close();
  }, [client, jobId, refresh]);

  return { job, events, error };
}
