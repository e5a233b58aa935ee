import type { Job } from '@tidings/client';
import { ProgressBar } from '@tidings/react';
import { elapsed, eta, shortId } from '../format.js';
import { useNow } from '../state/use-now.js';
import { JobActions } from './JobActions.js';
import { StatusBadge } from './StatusBadge.js';

export interface JobsTableProps {
  readonly jobs: readonly Job[];
  readonly loaded: boolean;
  readonly selectedJobId: string | null;
  readonly onSelect: (jobId: string) => void;
  readonly onCancel: (jobId: string) => void;
  readonly onRetry: (jobId: string) => void;
}

function jobTitle(job: Job): string {
  const title = job.metadata.title;
  if (typeof title === 'string' && title) return title;
  const url = job.metadata.url;
  return typeof url === 'string' ? url : job.jobType;
}

/** Every job shown, live: progress bar, stage, status, ETA, elapsed time, and what can be done with it. */
export function JobsTable({ jobs, loaded, selectedJobId, onSelect, onCancel, onRetry }: JobsTableProps) {
  const now = useNow();
  return (
    <section className="card" aria-labelledby="jobs-heading">
      <h2 id="jobs-heading">Jobs</h2>
      {jobs.length === 0 ? (
        <p className="hint">{loaded ? 'No jobs yet: ingest a video above.' : 'Loading jobs…'}</p>
      ) : (
        <table className="jobs-table">
          <thead>
            <tr>
              <th scope="col">Job</th>
              <th scope="col">Status</th>
              <th scope="col" className="progress-column">
                Progress
              </th>
              <th scope="col">Stage</th>
              <th scope="col">ETA</th>
              <th scope="col">Elapsed</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {jobs.map((job) => (
              <tr key={job.jobId} data-job-id={job.jobId} className={job.jobId === selectedJobId ? 'selected' : undefined}>
                <td>
                  <button type="button" className="link-button job-link" onClick={() => onSelect(job.jobId)} title={job.jobId}>
                    {jobTitle(job)}
                  </button>
                  <div className="muted mono">
                    {job.jobType} · {shortId(job.jobId)}
                    {job.userId ? ` · ${job.userId}` : ''}
                  </div>
                </td>
                <td>
                  <StatusBadge status={job.status} />
                </td>
                <td className="progress-column">
                  <ProgressBar value={job.progress} label={`Progress of ${jobTitle(job)}`} />
                </td>
                <td className="stage-cell">
                  <div>{job.currentStage ?? '—'}</div>
                  <div className="muted">{job.status === 'Failed' ? job.errorMessage : job.statusMessage}</div>
                </td>
                <td className="mono">{eta(job.estimatedCompletion, job.status === 'Running', now)}</td>
                <td className="mono">{elapsed(job.startedAt, job.finishedAt, now)}</td>
                <td className="actions">
                  <JobActions job={job} onCancel={onCancel} onRetry={onRetry} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
