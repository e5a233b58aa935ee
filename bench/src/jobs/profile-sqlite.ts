import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InProcessRunner, JobEngine, SqliteJobStore } from '@tidings/jobs';
import { cpuMicros } from '../clock.js';
import { EventCounter } from './event-counter.js';
import { progressStepsJob } from './progress-steps-job.js';

/**
 * Profiles the jobs scenario's tidings-sqlite system (the embedded default's
 * job event path) alone, in this one process, outside the bench run: rounds
 * of 1000 jobs × 20 progress steps at concurrency 32, each round's events/s
 * and CPU per event (this process: the engine and the store's checkpoint
 * thread), then the medians.
 *
 * `node --import tsx src/jobs/profile-sqlite.ts [rounds]` (after `npm run build`;
 * add `--cpu-prof` for a profile of the main thread)
 */
const rounds = Number(process.argv[2] ?? 4);
const events = 1000 * 20;
const dir = mkdtempSync(join(tmpdir(), 'tidings-profile-sqlite-'));
const store = new SqliteJobStore(join(dir, 'jobs.db'));
const engine = new JobEngine({ store, runner: new InProcessRunner({ concurrency: 32 }) });
engine.register(progressStepsJob);
const counter = new EventCounter();
engine.addSink({ name: 'profile', deliver: (event) => (event.kind === 'progress' ? counter.add() : undefined) });
await engine.start();
const round = (jobs: number) =>
  counter.round(jobs * 20, () => Promise.all(Array.from({ length: jobs }, () => engine.enqueue({ type: progressStepsJob.name, ownerId: 'profile', input: { steps: 20 } }))));

await round(100); // warm-up
const rates: number[] = [];
const cpus: number[] = [];
for (let i = 0; i < rounds; i++) {
  const cpuBefore = cpuMicros();
  const { startedAtUs, lastAtUs } = await round(1000);
  cpus.push((cpuMicros() - cpuBefore) / events);
  rates.push(events / ((lastAtUs - startedAtUs) / 1e6));
  console.log(`round ${i + 1}: ${rates.at(-1)!.toFixed(0)} events/s, ${cpus.at(-1)!.toFixed(1)} µs CPU per event`);
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
console.log(`median: ${median(rates).toFixed(0)} events/s, ${median(cpus).toFixed(1)} µs CPU per event`);
await engine.stop();
await store.close();
rmSync(dir, { recursive: true, force: true });
