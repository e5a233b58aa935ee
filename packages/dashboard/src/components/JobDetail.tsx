import { useTidingsClient } from '@tidings/react';
import { useEffect, useRef } from 'react';
import { clockTime, elapsed, eta, shortId } from '../format.js';
import { jobTags, jobTitle } from '../jobs.js';
import { useJobDetail } from '../state/use-job-detail.js';
import { useJobOutput } from '../state/use-job-output.js';
import { useNow } from '../state/use-now.js';
import { EventLog } from './EventLog.js';
import { JobActions } from './JobActions.js';
import { JobProgress } from './JobProgress.js';
import { OutputLog } from './OutputLog.js';
import { failedStage } from './JobsTable.js';
import { StageTimeline } from './StageTimeline.js';
import { StatusBadge } from './StatusBadge.js';

export interface JobDetailProps {
  readonly jobId: string;
  readonly onClose: () => void;
  readonly onCancel: (jobId: string) => void;
  readonly onRetry: (jobId: string) => void;
  readonly online: boolean;
}

/**
 * One job: its facts, its stage timeline and its event log, live — in a panel
 * over the list's right side (the whole screen on a phone), titled with the
 * job's name. Escape or Close puts it away.
 */
export function JobDetail({ jobId, onClose, onCancel, onRetry, online }: JobDetailProps) {
  const client = useTidingsClient();
  const { job, events, error } = useJobDetail(client, jobId);
  const now = useNow(1000, !online);
  const output = useJobOutput(client, jobId, online);
  const panel = useRef<HTMLElement>(null);

  useEffect(() => {
    panel.current?.focus();
    const onKey = (event: KeyboardEvent) => event.key === 'Escape' && onClose();
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);

  return (
    <>
      <div className="drawer-backdrop" onClick={onClose} aria-hidden="true" />
    <section className="card job-detail drawer" aria-label="Job detail" ref={panel} tabIndex={-1}>
      <div className="detail-head">
        <h2 id="job-detail-title">{job ? jobTitle(job) : `Job ${shortId(jobId)}`}</h2>
        <button type="button" className="secondary" onClick={onClose}>
          Close
        </button>
      </div>
      <p className="muted mono detail-id">{jobId}</p>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      {job && (
        <>
          <JobProgress value={job.progress} status={job.status} label={`Progress of ${jobTitle(job)}`} />
          <dl className="facts">
            <dt>Status</dt>
            <dd>
              <StatusBadge status={job.status} />
            </dd>
            <dt>Type</dt>
            <dd>{job.jobType}</dd>
            <dt>Progress</dt>
            <dd className="mono">{Math.round(job.progress)}%</dd>
            <dt>Current stage</dt>
            <dd>{job.currentStage ?? '—'}</dd>
            {job.status === 'Failed' ? (
              <>
                <dt>Failed in</dt>
                <dd>{failedStage(job) ?? '—'}</dd>
                <dt>Error</dt>
                <dd className="job-error">{job.errorMessage ?? '—'}</dd>
              </>
            ) : (
              <>
                <dt>Message</dt>
                <dd>{job.statusMessage ?? '—'}</dd>
              </>
            )}
            <dt>Created</dt>
            <dd className="mono">{clockTime(job.createdAt)}</dd>
            <dt>Elapsed</dt>
            <dd className="mono">{elapsed(job.startedAt, job.finishedAt, now)}</dd>
            <dt>ETA</dt>
            <dd className="mono">{eta(job.estimatedCompletion, job.status === 'Running', now)}</dd>
            <dt>Retries</dt>
            <dd className="mono">{job.retryCount}</dd>
            {job.userId && (
              <>
                <dt>User</dt>
                <dd>{job.userId}</dd>
              </>
            )}
          </dl>
          <div className="form-actions">
            <JobActions job={job} onCancel={onCancel} onRetry={onRetry} noun="job" disabled={!online} />
          </div>
          {jobTags(job).length > 0 && (
            <p className="muted">
              Tags:
              {jobTags(job).map((tag) => (
                <span key={tag} className="tag">
                  {tag}
                </span>
              ))}
            </p>
          )}
          {(output.length > 0 || job.stages.length === 0) && (
            <>
              <h3>Output ({output.length})</h3>
              <OutputLog lines={output} />
            </>
          )}
          <h3>Stages</h3>
          <StageTimeline stages={job.stages} now={now} />
        </>
      )}
      <h3>Events ({events.length})</h3>
      <EventLog events={events} />
    </section>
    </>
  );
}
