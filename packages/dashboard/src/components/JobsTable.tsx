import type { Job } from '@tidings/client';
import type { JobStatus } from '@tidings/contract';
import { useState } from 'react';
import { elapsed, eta, shortId } from '../format.js';
import { jobTags, jobTitle } from '../jobs.js';
import type { JobsQuery } from '../state/use-jobs-table.js';
import { useNow } from '../state/use-now.js';
import { JOB_STATUSES } from '../statuses.js';
import { JobActions } from './JobActions.js';
import { JobProgress } from './JobProgress.js';
import { StatusBadge } from './StatusBadge.js';

export interface JobsTableProps {
  readonly jobs: readonly Job[];
  readonly loaded: boolean;
  readonly hasOlder: boolean;
  readonly query: JobsQuery;
  readonly onQuery: (query: JobsQuery) => void;
  /** Job types to filter by (the service's). */
  readonly types: readonly string[];
  /** The service filters by tag (its generic job REST). */
  readonly tagFilter: boolean;
  readonly online: boolean;
  readonly selectedJobId: string | null;
  readonly onSelect: (jobId: string) => void;
  readonly onCancel: (jobId: string) => void;
  readonly onRetry: (jobId: string) => void;
}

/** Where a failed job stopped: its failed stage (a pipeline's failed step), else the stage it was in. */
export function failedStage(job: Job): string | null {
  return job.stages.find((stage) => stage.status === 'Failed')?.name ?? job.currentStage;
}

/** One page of jobs, live: progress bar, stage, status, ETA, elapsed time, and what can be done with it; filters and pages above. */
export function JobsTable({ jobs, loaded, hasOlder, query, onQuery, types, tagFilter, online, selectedJobId, onSelect, onCancel, onRetry }: JobsTableProps) {
  const now = useNow(1000, !online);
  const filtered = query.status !== null || query.jobType !== null || query.tag !== null;
  const [tagDraft, setTagDraft] = useState(query.tag ?? '');
  const applyTag = () => onQuery({ ...query, tag: tagDraft.trim() || null, page: 0 });
  const typeChoices = query.jobType && !types.includes(query.jobType) ? [...types, query.jobType] : types;
  return (
    <section className={online ? 'card' : 'card stale'} aria-labelledby="jobs-heading">
      <div className="jobs-head">
        <h2 id="jobs-heading">Jobs</h2>
        <div className="filters">
          <label>
            Status
            <select
              name="status"
              value={query.status ?? ''}
              onChange={(e) => onQuery({ ...query, status: (e.target.value || null) as JobStatus | null, page: 0 })}
            >
              <option value="">Any</option>
              {JOB_STATUSES.map((status) => (
                <option key={status}>{status}</option>
              ))}
            </select>
          </label>
          <label>
            Type
            <select name="jobType" value={query.jobType ?? ''} onChange={(e) => onQuery({ ...query, jobType: e.target.value || null, page: 0 })}>
              <option value="">Any (top-level jobs)</option>
              {typeChoices.map((type) => (
                <option key={type}>{type}</option>
              ))}
            </select>
          </label>
          {tagFilter && (
            <form
              className="tag-filter"
              onSubmit={(e) => {
                e.preventDefault();
                applyTag();
              }}
            >
              <label>
                Tag
                <input name="tag" value={tagDraft} onChange={(e) => setTagDraft(e.target.value)} onBlur={applyTag} placeholder="any" size={10} />
              </label>
            </form>
          )}
        </div>
      </div>
      {jobs.length === 0 ? (
        <p className="hint">{!loaded ? 'Loading jobs…' : filtered || query.page > 0 ? 'No jobs here.' : 'No jobs yet: start one above.'}</p>
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
              <tr key={job.jobId} data-job-id={job.jobId} data-status={job.status} className={job.jobId === selectedJobId ? 'selected' : undefined}>
                <td className="job-cell">
                  <button type="button" className="link-button job-link" onClick={() => onSelect(job.jobId)} title={job.jobId}>
                    {jobTitle(job)}
                  </button>
                  <div className="muted mono">
                    {job.jobType} · {shortId(job.jobId)}
                    {job.userId ? ` · ${job.userId}` : ''}
                    {jobTags(job).map((tag) => (
                      <span key={tag} className="tag">
                        {tag}
                      </span>
                    ))}
                  </div>
                </td>
                <td className="status-cell">
                  <StatusBadge status={job.status} />
                </td>
                <td className="progress-column">
                  <JobProgress value={job.progress} status={job.status} label={`Progress of ${jobTitle(job)}`} />
                </td>
                <td className="stage-cell">
                  {job.status === 'Failed' ? (
                    <>
                      <div>
                        Failed in <strong>{failedStage(job) ?? '—'}</strong>
                      </div>
                      <div className="job-error">{job.errorMessage}</div>
                    </>
                  ) : (
                    <>
                      <div>{job.currentStage ?? '—'}</div>
                      <div className="muted">{job.statusMessage}</div>
                    </>
                  )}
                </td>
                <td className="mono time-cell" data-label="ETA">
                  {eta(job.estimatedCompletion, job.status === 'Running', now)}
                </td>
                <td className="mono time-cell" data-label="Elapsed">
                  {elapsed(job.startedAt, job.finishedAt, now)}
                </td>
                <td className="actions">
                  <JobActions job={job} onCancel={onCancel} onRetry={onRetry} disabled={!online} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {(query.page > 0 || hasOlder) && (
        <nav className="pager" aria-label="Pages of jobs">
          <button type="button" className="secondary" disabled={query.page === 0} onClick={() => onQuery({ ...query, page: query.page - 1 })}>
            ← Newer
          </button>
          <span className="muted">Page {query.page + 1}</span>
          <button type="button" className="secondary" disabled={!hasOlder} onClick={() => onQuery({ ...query, page: query.page + 1 })}>
            Older →
          </button>
        </nav>
      )}
    </section>
  );
}
