import type { JobStatus } from '@tidings/client';
import { jobTable } from '../output/job-table.js';
import { type ServiceOptions, apiFor, unavailable } from '../service-options.js';

export interface JobsOptions extends ServiceOptions {
  readonly status?: JobStatus;
  readonly type?: string;
  readonly user?: string;
  readonly limit: number;
  /** Pipelines' steps too, not only top-level jobs. */
  readonly all?: boolean;
  readonly json?: boolean;
}

/** `tidings jobs`: the newest jobs as a table (or JSON). */
export async function jobsCommand(options: JobsOptions, out: NodeJS.WritableStream): Promise<void> {
  let jobs;
  try {
    // Steps are filtered out here, so read enough to still fill the page.
    const page = await apiFor(options).listJobs({
      status: options.status,
      jobType: options.type,
      userId: options.user,
      limit: Math.min(500, options.all ? options.limit : options.limit * 4),
    });
    jobs = page.jobs.filter((job) => options.all || job.parentJobId === null).slice(0, options.limit);
  } catch (error) {
    throw unavailable(error, options);
  }
  if (options.json) out.write(`${JSON.stringify(jobs, null, 2)}\n`);
  else if (jobs.length === 0) out.write('No jobs.\n');
  else out.write(jobTable(jobs));
}
