import type { JobStatus } from '@tidings/contract';

/** Every job status, in the order a job meets them (the overview's tiles, the table's filter). */
export const JOB_STATUSES: readonly JobStatus[] = ['Pending', 'Running', 'Completed', 'Failed', 'Cancelled'];
