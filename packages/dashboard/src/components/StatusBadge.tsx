import type { JobStatus } from '@tidings/contract';

/** The job's status as a coloured pill (its text is the status, for people and tests alike). */
export function StatusBadge({ status }: { readonly status: JobStatus }) {
  return <span className={`badge badge-${status.toLowerCase()}`}>{status}</span>;
}
