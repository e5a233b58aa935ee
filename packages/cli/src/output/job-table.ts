import type { Job } from '@tidings/client';

const COLUMNS: readonly { readonly title: string; readonly cell: (job: Job) => string }[] = [
  { title: 'JOB ID', cell: (job) => job.jobId },
  { title: 'TYPE', cell: (job) => job.jobType },
  { title: 'STATUS', cell: (job) => job.status },
  { title: 'PROGRESS', cell: (job) => `${Math.round(job.progress)}%` },
  { title: 'STAGE', cell: (job) => job.currentStage ?? '-' },
  { title: 'USER', cell: (job) => job.userId ?? '-' },
  { title: 'CREATED', cell: (job) => job.createdAt.replace('T', ' ').replace(/\.\d+Z$/, 'Z') },
];

/**
 * Jobs as aligned columns, one per line (like `docker ps`): readable in a
 * terminal, and `grep`/`awk`-friendly when piped.
 */
export function jobTable(jobs: readonly Job[]): string {
  const rows = [COLUMNS.map((c) => c.title), ...jobs.map((job) => COLUMNS.map((c) => c.cell(job).replace(/\s+/g, ' ')))];
  const widths = COLUMNS.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ')).join('\n') + '\n';
}
