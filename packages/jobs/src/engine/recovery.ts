import type { Job } from '../model.js';
import { markFailed, markInterrupted } from './job-state.js';
import type { JobWorkParts } from './job-work-parts.js';

export const RECOVERED_MESSAGE = 'Recovered after a restart; resuming';

/**
 * Picks up where the last process left off. A job still marked Running was
 * cut off by a crash: it is re-queued with its checkpoint, or failed with the
 * reason when its processor says it cannot resume. Pending jobs are queued
 * again (a waiting retry keeps its remaining backoff; a flow step waits for
 * the step before it). Flows left behind their children are brought up to
 * date.
 */
export async function recoverJobs(parts: JobWorkParts): Promise<void> {
  const { flows } = parts;
  const now = () => new Date(parts.clock.now()).toISOString();
  const active = (await parts.store.listJobs({ status: ['Running', 'Pending'] })).reverse(); // oldest first
  const settled: Job[] = [];
  let requeued = 0;
  for (const stored of active.filter((j) => !j.steps)) {
    await parts.locks.run(stored.id, async () => {
      const job = await parts.store.getJob(stored.id);
      if (!job || (job.status !== 'Running' && job.status !== 'Pending')) return;
      if (job.status === 'Running') {
        if (parts.registry.get(job.type)?.options.resumable === false) {
          markFailed(job, now(), `Interrupted by a restart while running; '${job.type}' jobs cannot resume.`, true);
          await parts.writer.emit(job, 'failed');
          settled.push(job);
          return;
        }
        markInterrupted(job, RECOVERED_MESSAGE);
        await parts.writer.emit(job, 'recovered');
      }
      if (job.dependsOn) {
        const before = await parts.store.getJob(job.dependsOn);
        if (before?.status !== 'Completed') return;
      }
      await parts.requeue(job);
      requeued++;
    });
  }
  for (const job of settled) await flows.childSettled(job);
  for (const parent of active.filter((j) => j.steps)) await flows.reconcile(parent);
  if (requeued + settled.length > 0) parts.logger.info({ requeued, failed: settled.length }, 'recovered unfinished jobs');
}
