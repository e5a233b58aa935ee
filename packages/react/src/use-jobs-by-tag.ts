import type { ConnectionState, JobProgressUpdate } from '@tidings/client';
import { useEffect, useState } from 'react';
import { useConnectionState } from './use-connection-state.js';
import { useTidingsClient } from './tidings-provider.js';

export interface UseJobsByTagResult {
  /** The latest state of each job with the tag the caller may read, newest first; new jobs appear as they start. */
  readonly jobs: readonly JobProgressUpdate[];
  readonly error: string | null;
  readonly connectionState: ConnectionState;
}

/**
 * Every job with `tag` (yours, a tag follow token's, or in open mode
 * everyone's), kept up to date: the client follows the tag (again after every
 * reconnect), and each job's updates replace its row. Updates of jobs the
 * client hears of otherwise (your other jobs) are told apart by asking REST
 * once whether the job has the tag.
 */
export function useJobsByTag(tag: string | null | undefined): UseJobsByTagResult {
  const client = useTidingsClient();
  const connectionState = useConnectionState();
  const [state, setState] = useState<{ tag: string | null; jobs: Map<string, JobProgressUpdate>; error: string | null }>({ tag: null, jobs: new Map(), error: null });

  useEffect(() => {
    setState({ tag: tag ?? null, jobs: new Map(), error: null });
    if (!tag) return;
    let active = true;
    const tagged = new Map<string, Promise<boolean>>();
    const put = (update: JobProgressUpdate) =>
      setState((previous) => {
        if (previous.tag !== tag) return previous;
        const known = previous.jobs.get(update.jobId);
        if (known && known.sequence >= update.sequence) return previous;
        return { ...previous, jobs: new Map(previous.jobs).set(update.jobId, update) };
      });
    /** JobCompleted and JobFailed carry no full state: the row keeps its last one with the outcome. */
    const finish = (jobId: string, status: 'Completed' | 'Failed', sequence: number, errorMessage: string | null) =>
      setState((previous) => {
        const known = previous.tag === tag ? previous.jobs.get(jobId) : undefined;
        if (!known || known.sequence >= sequence) return previous;
        const row: JobProgressUpdate = { ...known, status, sequence, progress: status === 'Completed' ? 100 : known.progress, errorMessage, estimatedCompletion: null };
        return { ...previous, jobs: new Map(previous.jobs).set(jobId, row) };
      });
    const isTagged = (jobId: string) => {
      let answer = tagged.get(jobId);
      if (!answer) {
        answer = client.getJob(jobId).then((job) => job.tags?.includes(tag) ?? false, () => false);
        tagged.set(jobId, answer);
      }
      return answer;
    };
    const stopListening = client.onJobEvent((event) => {
      void isTagged(event.jobId).then((yes) => {
        if (!active || !yes) return;
        if (event.type === 'JobProgressUpdate') put(event.payload);
        else if (event.type === 'JobCompleted') finish(event.jobId, 'Completed', event.sequence, null);
        else finish(event.jobId, 'Failed', event.sequence, event.payload.error);
      });
    });
    client.subscribeToTag(tag).then(
      (states) => {
        for (const update of states) {
          tagged.set(update.jobId, Promise.resolve(true));
          if (active) put(update);
        }
      },
      (error: unknown) => active && setState((previous) => ({ ...previous, error: error instanceof Error ? error.message : String(error) })),
    );
    return () => {
      active = false;
      stopListening();
      void client.unsubscribeFromTag(tag);
    };
  }, [client, tag]);

  const jobs = state.tag === (tag ?? null) ? [...state.jobs.values()].reverse() : [];
  return { jobs, error: state.tag === (tag ?? null) ? state.error : null, connectionState };
}
