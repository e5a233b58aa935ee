import type { Job, JobListQuery, JobProgressClient } from '@tidings/client';
import { type JobStatus, statusAfter } from '@tidings/contract';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { coalesced } from './coalesced-refresh.js';
import { jobTags } from '../jobs.js';
import { newer, withEvent } from './job-rows.js';

const byNewest = (a: Job, b: Job) => b.createdAt.localeCompare(a.createdAt);

/**
 * Jobs listed per page, steps included (the REST list has no top-level
 * filter): a page shows the top-level jobs among them, or all of them when
 * filtered by a type (a pipeline's steps are jobs of their own types).
 */
export const PAGE_SIZE = 200;
/** How often to look for jobs created elsewhere (the hub announces no new jobs to an anonymous page). */
const DISCOVER_EVERY_MS = 4000;

/** What the table shows: a status, a type, a tag, and a page (0: the newest). */
export interface JobsQuery {
  readonly status: JobStatus | null;
  readonly jobType: string | null;
  readonly tag: string | null;
  readonly page: number;
}

export const ALL_JOBS: JobsQuery = { status: null, jobType: null, tag: null, page: 0 };

export interface JobsTable {
  /** The page's jobs, newest first. */
  readonly jobs: readonly Job[];
  readonly loaded: boolean;
  /** There are older jobs than this page's. */
  readonly hasOlder: boolean;
  /** Shows a job at once (one just ingested) rather than at the next poll. */
  add(jobId: string): void;
}

function shown(query: JobsQuery, job: Job): boolean {
  if (query.jobType === null && job.parentJobId !== null) return false; // steps show in their pipeline's detail
  if (query.jobType !== null && job.jobType !== query.jobType) return false;
  if (query.tag !== null && !jobTags(job).includes(query.tag)) return false;
  return query.status === null || job.status === query.status;
}

/**
 * The jobs table's data: one page listed over REST (by status and type), each
 * row subscribed on the hub and kept live by its events (the client
 * re-subscribes and catches up after a reconnect), and re-read over REST when
 * its status changes.
 */
export function useJobsTable(client: JobProgressClient, query: JobsQuery): JobsTable {
  const [rows, setRows] = useState<ReadonlyMap<string, Job>>(new Map());
  const [loaded, setLoaded] = useState(false);
  const [hasOlder, setHasOlder] = useState(false);
  const rowsRef = useRef(rows);
  rowsRef.current = rows;
  const { status, jobType, tag, page } = query;

  /** Puts jobs read one by one (a new job, a changed row); `listed` replaces the page with a listing. */
  const put = useCallback(
    (jobs: readonly Job[], listed = false) => {
      const q = { status, jobType, tag, page };
      setRows((current) => {
        const next = new Map(listed ? [] : current);
        for (const job of jobs) {
          const known = current.get(job.jobId);
          // A listing is the page; a job read alone updates its row, or joins the first page when it belongs there.
          const keep = listed ? shown(q, job) : known !== undefined || (page === 0 && shown(q, job));
          if (keep) next.set(job.jobId, newer(known, job));
        }
        return next;
      });
    },
    [status, jobType, tag, page],
  );

  const refresh = useMemo(() => coalesced(async (jobId) => put([await client.getJob(jobId)])), [client, put]);

  // Live: each event moves its row on; a status change also re-reads the row (start/finish times, canRetry).
  useEffect(
    () =>
      client.onJobEvent((event) => {
        const row = rowsRef.current.get(event.jobId);
        if (!row) {
          // A job of this user the page has not listed yet (the hub's user group tells about it).
          if (page === 0 && event.type === 'JobProgressUpdate' && event.payload.parentJobId === null) refresh(event.jobId);
          return;
        }
        if (statusAfter(event) !== row.status) refresh(event.jobId);
        setRows((current) => {
          const job = current.get(event.jobId);
          const next = job && withEvent(job, event);
          return !next || next === job ? current : new Map(current).set(event.jobId, next);
        });
      }),
    [client, refresh, page],
  );

  // Discovery: list the page now, on every (re)connection, and every few seconds while connected.
  useEffect(() => {
    let active = true;
    setLoaded(false);
    setRows(new Map());
    const discover = () => {
      if (client.state !== 'connected') return;
      client
        // `tag` is a filter of the generic job REST; the client's query type predates it.
        .listJobs({ limit: PAGE_SIZE, offset: page * PAGE_SIZE, ...(status ? { status } : {}), ...(jobType ? { jobType } : {}), ...(tag ? { tag } : {}) } as JobListQuery)
        .then(
          (jobs) => {
            if (!active) return;
            put(jobs, true);
            setHasOlder(jobs.length === PAGE_SIZE);
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
  }, [client, put, status, jobType, tag, page]);

  const jobs = useMemo(() => [...rows.values()].sort(byNewest), [rows]);

  // The hub sends a job's events to those subscribed to it: follow exactly the rows shown.
  const followed = useRef(new Set<string>());
  useEffect(() => {
    const ids = new Set(jobs.map((job) => job.jobId));
    for (const jobId of ids) {
      if (followed.current.has(jobId)) continue;
      followed.current.add(jobId);
      client.subscribeToJob(jobId).catch(() => undefined); // gone or not ours: its row stays as last read
    }
    for (const jobId of followed.current) {
      if (ids.has(jobId)) continue;
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

  return { jobs, loaded, hasOlder, add: refresh };
}
