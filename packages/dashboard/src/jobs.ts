import type { Job } from '@tidings/client';

/** What people call a job: its title, else its URL, else its type. */
export function jobTitle(job: Job): string {
  const title = job.metadata.title;
  if (typeof title === 'string' && title) return title;
  const url = job.metadata.url;
  return typeof url === 'string' && url ? url : job.jobType;
}

/** The job's tags (the REST job carries them once the service has generic jobs; none before). */
export function jobTags(job: Job): readonly string[] {
  const tags = (job as Job & { readonly tags?: unknown }).tags;
  return Array.isArray(tags) ? tags.filter((tag): tag is string => typeof tag === 'string') : [];
}
