import type { JobStatus } from '@tidings/contract';
import { ProgressBar } from '@tidings/react';

/** A job's progress bar in its status's colour: green while it runs or once done, red when it failed, amber when cancelled. */
export function JobProgress({ value, status, label }: { readonly value: number; readonly status: JobStatus; readonly label: string }) {
  return <ProgressBar value={value} label={label} className={`job-progress job-progress-${status.toLowerCase()}`} />;
}
