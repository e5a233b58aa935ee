import { useTidingsClient } from '@tidings/react';
import { TidingsApiError } from '@tidings/client';
import { useCallback, useEffect, useState } from 'react';
import { JobForms } from './components/JobForms.js';
import { JobDetail } from './components/JobDetail.js';
import { JobsTable } from './components/JobsTable.js';
import { OfflineBanner } from './components/OfflineBanner.js';
import { Overview } from './components/Overview.js';
import { errorText, shortId } from './format.js';
import { useSelectedJobId } from './state/use-hash-route.js';
import { useJobTypes } from './state/use-job-types.js';
import { ALL_JOBS, type JobsQuery, useJobsTable } from './state/use-jobs-table.js';
import type { Notices } from './state/use-notices.js';
import { useOnline } from './state/use-online.js';
import { useStats } from './state/use-stats.js';

export interface DashboardProps {
  readonly mode: 'open' | 'jwt';
  readonly notices: Notices;
  /** The bearer token the page uses, if any (for the stats read). */
  readonly token: string | null;
}

/** The overview, the ingest form, the live jobs table and the selected job's detail. */
export function Dashboard({ mode, notices, token }: DashboardProps) {
  const client = useTidingsClient();
  const { online, lost } = useOnline();
  const { stats, error: statsError } = useStats(token, online);
  const { types: jobTypes } = useJobTypes(token);
  const [query, setQuery] = useState<JobsQuery>(ALL_JOBS);
  const table = useJobsTable(client, query);
  const [selected, select] = useSelectedJobId();
  const close = useCallback(() => select(null), [select]);
  const { push } = notices;

  // A dev token dies with the process that signed it: after a restart the service refuses it for good.
  useEffect(
    () =>
      client.onConnectionClosed((error) => {
        if (error instanceof TidingsApiError && (error.status === 401 || error.status === 403)) {
          push('error', `The service refused the token (${error.message}). Sign out, or get a new token.`);
        }
      }),
    [client, push],
  );

  const cancel = useCallback(
    (jobId: string) => {
      client.cancelJob(jobId).then(
        () => push('info', `Cancelled job ${shortId(jobId)}.`),
        (error: unknown) => push('error', `Cancel failed: ${errorText(error)}`),
      );
    },
    [client, push],
  );
  const retry = useCallback(
    (jobId: string) => {
      client.retryJob(jobId).then(
        () => push('info', `Job ${shortId(jobId)} runs again.`),
        (error: unknown) => push('error', `Retry failed: ${errorText(error)}`),
      );
    },
    [client, push],
  );

  return (
    <main>
      {lost && <OfflineBanner />}
      <Overview stats={stats} error={online ? statsError : null} />
      <JobForms
        types={jobTypes}
        token={token}
        askUserId={mode === 'open'}
        disabled={!online}
        onIngested={(response) => {
          table.add(response.jobId);
          push('info', `Video ingestion started: job ${shortId(response.jobId)}.`);
        }}
        onSubmitted={(jobId, type) => {
          table.add(jobId);
          push('info', `${type} job ${shortId(jobId)} started.`);
        }}
        onError={(message) => push('error', message)}
      />
      <JobsTable
        jobs={table.jobs}
        loaded={table.loaded}
        hasOlder={table.hasOlder}
        query={query}
        onQuery={setQuery}
        types={stats?.jobs.types ?? []}
        tagFilter={jobTypes !== null}
        online={online}
        selectedJobId={selected}
        onSelect={select}
        onCancel={cancel}
        onRetry={retry}
      />
      {selected && <JobDetail key={selected} jobId={selected} onClose={close} onCancel={cancel} onRetry={retry} online={online} />}
    </main>
  );
}
