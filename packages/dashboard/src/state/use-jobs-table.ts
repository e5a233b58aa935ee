import type { Job, JobProgressClient } from '@tidings/client';
import { statusAfter } from '@tidings/contract';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { coalesced } from './coalesced-refresh.js';
import { newer, withEvent } from './job-rows.js';

const byNewest = (a: Job, b: Job) => b.createdAt.localeCompare(a.createdAt);

/** Rows shown. */
const ROWS = 50;
/** How often to look for jobs created elsewhere (the hub announces no new jobs to an anonymous page). */
const DISCOVER_EVERY_MS = 4000;

export interface JobsTable {
  /** Top-level jobs, newest first. */
  readonly jobs: readonly Job[];
  readonly loaded: boolean;
  /** Shows a job at once (one just ingested) rather than at the next poll. */
  add(jobId: string): void;
}

/**
 * The jobs table's data: listed over REST, each row subscribed on the hub and
 * kept live by its events (the client re-subscribes and catches up after a
 * reconnect), and re-read over REST when its status changes.
 */
export function useJobsTable(client: JobProgressClient): JobsTable {
  const [rows, setRows] = useState<ReadonlyMap<string, Job>>(new Map());
  const [loaded, setLoaded] = useState(false);
  const rowsRef = useRef(rows);
  rowsRef.current = rows;

  const put = useCallback((jobs: readonly Job[]) => {
    setRows((current) => {
      const next = new Map(current);
      for (const job of jobs) {
        if (job.parentJobId !== null) continue; // steps show in their pipeline's detail
        next.set(job.jobId, newer(current.get(job.jobId), job));
      }
      if (next.size <= ROWS) return next;
      const newest = [...next.values()].sort(byNewest).slice(0, ROWS);
      return new Map(newest.map((job) => [job.jobId, job]));
    });
  }, []);

  const refresh = useMemo(() => coalesced(async (jobId) => put([await client.getJob(jobId)])), [client, put]);

  // Live: each event moves its row on; a status change also re-reads the row (start/finish times, canRetry).
  useEffect(
    () =>
      client.onJobEvent((event) => {
        const row = rowsRef.current.get(event.jobId);
        if (!row) {
          // A job of this user the page has not listed yet (the hub's user group tells about it).
          if (event.type === 'JobProgressUpdate' && event.payload.parentJobId === null) refresh(event.jobId);
          return;
        }
        if (statusAfter(event) !== row.status) refresh(event.jobId);
        setRows((current) => {
          const job = current.get(event.jobId);
          const next = job && withEvent(job, event);
          return !next || next === job ? current : new Map(current).set(event.jobId, next);
        });
      }),
    [client, refresh],
  );

  // Discovery: list now, on every (re)connection, and every few seconds while connected.
  useEffect(() => {
    let active = true;
    const discover = () => {
      if (client.state !== 'connected') return;
      client.listJobs({ limit: 200 }).then(
        (jobs) => {
          if (!active) return;
          put(jobs);
          setLoaded(true);
        },
        () => undefined, // the service is away: the connection status says so, and the next poll tries again
      );
    };
    discover();
    const timer = setInterval(discover, DISCOVER_EVERY_MS);
    const offState = client.onStateChange((state) => state === 'connected' && discover());
    return () => {
      active = false;
      clearInterval(timer);
      offState();
    };
  }, [client, put]);

  const jobs = useMemo(() => [...rows.values()].sort(byNewest), [rows]);

  // The hub sends a job's events to those subscribed to it: follow exactly the rows shown.
  const followed = useRef(new Set<string>());
  useEffect(() => {
    const shown = new Set(jobs.map((job) => job.jobId));
    for (const jobId of shown) {
      if (followed.current.has(jobId)) continue;
      followed.current.add(jobId);
      client.subscribeToJob(jobId).catch(() => undefined); // gone or not ours: its row stays as last read
    }
    for (const jobId of followed.current) {
      if (shown.has(jobId)) continue;
      followed.current.delete(jobId);
      void client.unsubscribeFromJob(jobId);
    }
  }, [client, jobs]);
  useEffect(() => {
    const ids = followed.current;
    return () => {
      for (const jobId of ids) void client.unsubscribeFromJob(jobId);
      ids.clear();
    };
  }, [client]);

  return { jobs, loaded, add: refresh };
}
