import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { JobEngine, SqliteJobStore } from '../src/index.js';
import { createJob } from '../src/engine/job-state.js';
import { startNodeScript } from '../../../test-support/processes.js';
import { tempDir, waitFor } from './support/harness.js';

/** SqliteJobStore commits a turn's writes together; what a processor awaited is committed before its await resolves. */
describe('group commits (SQLite)', () => {
  it('commits a processor\'s progress before its await resolves: a second connection reads it right after', async (t) => {
    const dir = tempDir();
    const path = join(dir.path, 'jobs.db');
    const store = new SqliteJobStore(path);
    const engine = new JobEngine({ store });
    const reader = new Database(path, { readonly: true });
    t.after(async () => {
      await engine.stop();
      await store.close();
      reader.close();
      dir.cleanup();
    });
    // A progress event is stored as the latest entry of the job's history (the job's row changes with its status only).
    const latest = reader.prepare<[string], { data: string }>('SELECT data FROM job_events WHERE job_id = ? ORDER BY sequence DESC LIMIT 1');
    const seen: { percent: number; stored: number }[] = [];
    // Eight jobs at once, so their events share group commits.
    engine.define('Steps', async (job, ctx) => {
      for (const percent of [10, 20, 30, 40, 50]) {
        await ctx.progress(percent);
        const event = latest.get(job.id);
        seen.push({ percent, stored: event ? (JSON.parse(event.data) as { progress: number }).progress : -1 });
      }
    });
    await engine.start();
    const jobs = await Promise.all(Array.from({ length: 8 }, () => engine.enqueue({ type: 'Steps' })));
    await waitFor(() => seen.length === 40, 10_000, 'every step of every job');
    for (const s of seen) assert.equal(s.stored, s.percent, `progress ${s.percent} committed before the await resolved`);
    for (const job of jobs) {
      const sequences = (await engine.events(job.id)).map((e) => e.sequence);
      assert.deepEqual(sequences, sequences.map((_, i) => i + 1), 'sequence runs 1, 2, 3… with no gaps');
    }
  });

  it('lets the I/O of a turn run between commits while a writer keeps writing', async (t) => {
    const dir = tempDir();
    const store = new SqliteJobStore(join(dir.path, 'jobs.db'));
    t.after(async () => {
      await store.close();
      dir.cleanup();
    });
    const job = createJob('steady', { type: 'Noop' }, '2026-01-01T00:00:00.000Z', { maxRetries: 0 });
    await store.insertJobs([job]);
    let commits = 0;
    let ioRanAfter: number | undefined;
    // Stands for a socket read or a hub send waiting for its turn.
    setImmediate(() => (ioRanAfter = commits));
    for (let i = 1; i <= 20; i++) {
      await store.appendEvent({ ...job, status: 'Running', progress: i }, 'progress', job.createdAt);
      commits++;
    }
    assert.ok(ioRanAfter !== undefined && ioRanAfter < 20, `the waiting callback ran after ${ioRanAfter} of 20 commits, not after all of them`);
  });

  it('loses nothing a processor was told was stored when its process is killed right after (SIGKILL)', async (t) => {
    const dir = tempDir();
    t.after(() => dir.cleanup());
    const path = join(dir.path, 'jobs.db');
    const script = fileURLToPath(new URL('./fixtures/acknowledged-progress-process.ts', import.meta.url));
    const child = await startNodeScript<{ jobId: string; acknowledged: number[] }>(script, [path]);
    child.child.kill('SIGKILL');
    assert.equal((await child.exited).signal, 'SIGKILL');
    const store = new SqliteJobStore(path);
    t.after(() => store.close());
    const events = await store.listEvents(child.info.jobId, 0, 100);
    assert.deepEqual(child.info.acknowledged, [10, 20, 30]);
    assert.deepEqual(
      events.filter((e) => e.kind === 'progress').map((e) => e.job.progress),
      child.info.acknowledged,
      'every acknowledged progress event survived the crash',
    );
    assert.deepEqual(events.map((e) => e.sequence), events.map((_, i) => i + 1));
    assert.equal((await store.getJob(child.info.jobId))!.progress, 30);
  });
});
