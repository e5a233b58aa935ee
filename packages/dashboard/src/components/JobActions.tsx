import type { Job } from '@tidings/client';
import { isTerminalStatus } from '@tidings/contract';

export interface JobActionsProps {
  readonly job: Job;
  readonly onCancel: (jobId: string) => void;
  readonly onRetry: (jobId: string) => void;
  /** After the verb on each button ("Cancel job"); none: "Cancel". */
  readonly noun?: string;
  /** Offline: the buttons show what could be done, but nothing can be sent. */
  readonly disabled?: boolean;
}

/** What can be done with a job now: Cancel while it has not finished, Retry once it failed or was cancelled. */
export function JobActions({ job, onCancel, onRetry, noun, disabled = false }: JobActionsProps) {
  const label = (verb: string) => (noun ? `${verb} ${noun}` : verb);
  const why = disabled ? 'Offline: the service cannot be reached' : undefined;
  return (
    <>
      {!isTerminalStatus(job.status) && (
        <button type="button" className="danger" disabled={disabled} title={why} onClick={() => onCancel(job.jobId)}>
          {label('Cancel')}
        </button>
      )}
      {(job.status === 'Failed' || job.status === 'Cancelled') && (
        <button type="button" className="secondary" disabled={disabled} title={why} onClick={() => onRetry(job.jobId)}>
          {label('Retry')}
        </button>
      )}
    </>
  );
}
