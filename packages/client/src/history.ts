import {
  type JobEvent,
  type JobFeedEvent,
  type JobHistoryEvent,
  jobCompletedOf,
  jobEvent,
  jobFailedOf,
  jobOutputEvent,
  jobOutputOf,
  jobProgressUpdateOf,
} from '@tidings/contract';

/**
 * A stored event as the hub sent it live. The service builds both from the
 * same job state with the wire contract's mappings, so a missed event fetched
 * here is indistinguishable from the one the connection would have delivered.
 */
export function feedEventFromHistory(stored: JobHistoryEvent): JobFeedEvent {
  const output = jobOutputOf(stored.job.jobId, stored, stored.job.outputStats?.dropped ?? 0);
  return output ? jobOutputEvent(output) : eventFromHistory(stored);
}

/**
 * As `feedEventFromHistory`, for the job's events only: an output event comes
 * back as the job's state at it (a `JobProgressUpdate`), as clients before
 * `JobOutput` read it.
 */
export function eventFromHistory(stored: JobHistoryEvent): JobEvent {
  const { job, sequence } = stored;
  if (stored.kind === 'completed') return jobEvent('JobCompleted', jobCompletedOf(job, sequence));
  if (stored.kind === 'failed') return jobEvent('JobFailed', jobFailedOf(job, sequence));
  return jobEvent('JobProgressUpdate', jobProgressUpdateOf(job, sequence));
}
