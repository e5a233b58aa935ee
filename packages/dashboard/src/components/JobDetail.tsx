import { useTidingsClient } from '@tidings/react';
import { clockTime, elapsed, eta } from '../format.js';
import { useJobDetail } from '../state/use-job-detail.js';
import { useNow } from '../state/use-now.js';
import { EventLog } from './EventLog.js';
import { JobActions } from './JobActions.js';
import { StageTimeline } from './StageTimeline.js';
import { StatusBadge } from './StatusBadge.js';

export interface JobDetailProps {
  readonly jobId: string;
  readonly onClose: () => void;
  readonly onCancel: (jobId: string) => void;
  readonly onRetry: (jobId: string) => void;
}

/** One job: its facts, its stage timeline and its event log, live. */
export function JobDetail({ jobId, onClose, onCancel, onRetry }: JobDetailProps) {
  const client = useTidingsClient();
  const { job, events, error } = useJobDetail(client, jobId);
  const now = useNow();

  return (
    <section className="card job-detail" aria-label="Job detail">
      <div className="detail-head">
        <h2>
          Job <span className="mono">{jobId}</span>
        </h2>
        <button type="button" className="secondary" onClick={onClose}>
          Close
        </button>
      </div>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      {job && (
        <>
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
            <dt>Message</dt>
            <dd>{job.errorMessage ?? job.statusMessage ?? '—'}</dd>
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
            <JobActions job={job} onCancel={onCancel} onRetry={onRetry} noun="job" />
          </div>
          <h3>Stages</h3>
          <StageTimeline stages={job.stages} now={now} />
        </>
      )}
      <h3>Events ({events.length})</h3>
      <EventLog events={events} />
    </section>
  );
}
