import { Redis } from 'ioredis';
import { cpuMicros } from '../clock.js';
import { startBullMqJobs } from './bullmq-jobs.js';
import { startDurableRedis } from './durable-redis.js';
import { redisCpuMicros } from './redis-cpu.js';
import { startTidingsRedisJobs } from './tidings-redis-jobs.js';

/**
 * Profiles the jobs scenario's tidings-redis system (scaled mode's job event
 * path) alone, outside the bench run: rounds of 1000 jobs on a private
 * redis-server with AOF on, each round's events/s and CPU per event (this
 * process and redis-server apart, system time too).
 *
 * `node --import tsx src/jobs/profile-redis.ts [rounds] [bullmq]` (after `npm run build`)
 *
 * `bullmq` profiles the BullMQ system instead (the baseline under the same
 * machine load). Environment: STEPS (progress steps per job, default 20);
 * COMMANDSTATS=1 prints redis-server's INFO commandstats; SLOWLOG=1 logs
 * every command of the last round and prints where redis-server's time went,
 * script by script (by SHA).
 */
const rounds = Number(process.argv[2] ?? 6);
const steps = Number(process.env.STEPS ?? 20);
const events = 1000 * steps;
const perEvent = (micros: number) => (micros / events).toFixed(1);

async function printSlowlog(info: Redis): Promise<void> {
  const log = (await info.slowlog('GET', -1)) as [number, number, number, string[]][];
  const byCommand = new Map<string, { calls: number; usec: number }>();
  for (const [, , usec, args] of log) {
    const name = /^evalsha$/i.test(args[0]!) ? `evalsha ${args[1]!.slice(0, 8)}` : args[0]!.toLowerCase();
    const entry = byCommand.get(name) ?? { calls: 0, usec: 0 };
    entry.calls++;
    entry.usec += usec;
    byCommand.set(name, entry);
  }
  for (const [name, { calls, usec }] of [...byCommand].sort((a, b) => b[1].usec - a[1].usec)) {
    console.log(`${name.padEnd(20)} calls ${String(calls).padStart(7)}  µs/call ${(usec / calls).toFixed(1).padStart(7)}  µs/event ${(usec / events).toFixed(2)}`);
  }
}

const server = await startDurableRedis();
const info = new Redis(server.url);
try {
  const start = process.argv[3] === 'bullmq' ? startBullMqJobs : startTidingsRedisJobs;
  const bench = await start({ concurrency: 32, dataDir: '', redisUrl: server.url });
  await bench.round(100, steps);
  await info.config('RESETSTAT');
  for (let i = 0; i < rounds; i++) {
    if (process.env.SLOWLOG && i === rounds - 1) {
      await info.config('SET', 'slowlog-log-slower-than', '0', 'slowlog-max-len', '1000000');
      await info.slowlog('RESET');
    }
    const usage0 = process.cpuUsage();
    const redis0 = await redisCpuMicros(info);
    const node0 = cpuMicros();
    const r = await bench.round(1000, steps);
    const node = cpuMicros() - node0;
    const usage = process.cpuUsage(usage0);
    const redis = (await redisCpuMicros(info)) - redis0;
    const secs = (r.lastAtUs - r.startedAtUs) / 1e6;
    console.log(
      `events/s ${(events / secs).toFixed(0)}  cpu µs/event ${perEvent(node + redis)} (node ${perEvent(node)} [sys ${perEvent(usage.system)}], redis ${perEvent(redis)})`,
    );
  }
  if (process.env.COMMANDSTATS) console.log(await info.info('commandstats'));
  const persistence = await info.info('persistence');
  const field = (name: string) => new RegExp(`^${name}:(\\d+)`, 'm').exec(persistence)?.[1];
  console.log(`AOF ${(Number(field('aof_current_size')) / 1e6).toFixed(1)} MB, ${field('aof_rewrites')} rewrites`);
  if (process.env.SLOWLOG) await printSlowlog(info);
  await bench.close();
} finally {
  info.disconnect();
  await server.stop();
}
