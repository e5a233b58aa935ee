import type { Job } from '@tidings/client';

/** What people call a job: its title, else its URL, else its type. */
export function jobTitle(job: Job): string {
  const title = job.metadata.title;
  if (typeof title === 'string' && title) return title;
  const url = job.metadata.url;
  return typeof url === 'string' && url ? url : job.jobType;
}
