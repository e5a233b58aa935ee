import { useState } from 'react';
import { ProgressBar } from './progress-bar.js';
import { useJobProgress } from './use-job-progress.js';

export interface JobProgressTrackerProps {
  readonly jobId: string;
  /** Default "Processing Video" (seed 000 §7). */
  readonly title?: string;
  readonly className?: string;
}

/**
 * Seed 000 §7's `JobProgressTracker`: a status badge, the current stage, a
 * progress bar and a cancel button while the job runs; the outcome after.
 * Class names are the seed's (`status-badge status-running`…) for styling.
 */
export function JobProgressTracker({ jobId, title = 'Processing Video', className }: JobProgressTrackerProps) {
  const job = useJobProgress(jobId);
  const [actionError, setActionError] = useState<string | null>(null);
  const status = job.status ?? 'Pending';
  const active = status === 'Pending' || status === 'Running';
  const act = (action: () => Promise<void>) => () => {
    setActionError(null);
    action().catch((error: unknown) => setActionError(error instanceof Error ? error.message : String(error)));
  };

  return (
    <section className={className ? `job-progress-tracker ${className}` : 'job-progress-tracker'} aria-label={title}>
      <div className="progress-header">
        <h3>{title}</h3>
        <span className={`status-badge status-${status.toLowerCase()}`}>{job.status ?? 'Loading…'}</span>
      </div>

      {active && (
        <div className="progress-details">
          <div className="stage-info">
            <span>Current stage: </span>
            <strong>{job.progress?.currentStage ?? 'Waiting to start'}</strong>
          </div>
          <ProgressBar value={job.progress?.progress ?? 0} label={`${title}: progress`} />
          {job.progress?.statusMessage && <p className="status-message">{job.progress.statusMessage}</p>}
          <button type="button" className="cancel-button" onClick={act(job.cancel)}>
            Cancel Processing
          </button>
        </div>
      )}

      {status === 'Completed' && (
        <div className="success-message" role="status">
          Completed: {job.completed?.message ?? job.progress?.statusMessage ?? 'Video processing completed successfully!'}
        </div>
      )}
      {(status === 'Failed' || status === 'Cancelled') && (
        <div className="error-message" role="alert">
          {status === 'Failed' ? `Processing failed: ${job.error ?? 'unknown error'}` : 'Processing was cancelled.'}{' '}
          <button type="button" className="retry-button" onClick={act(job.retry)}>
            Retry
          </button>
        </div>
      )}
      {job.error && job.status === null && (
        <div className="error-message" role="alert">
          {job.error}
        </div>
      )}
      {actionError && (
        <div className="error-message" role="alert">
          {actionError}
        </div>
      )}
    </section>
  );
}
