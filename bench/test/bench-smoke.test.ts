import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { BenchReport } from '../src/report.js';

const run = promisify(execFile);
const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));

const onRedis = process.env.TIDINGS_REDIS_SERVER === '1';
const LATENCY_POINTS = ['Latency at 25 % of capacity', 'Latency at 50 % of capacity', 'Latency at 75 % of capacity'];

/** Every (scenario, system) row a run must produce. Without redis-server the systems on Redis are skipped; run-tests sets TIDINGS_REDIS_SERVER when it found one. */
const EXPECTED_ROWS: readonly (readonly [string, string])[] = [
  ['Group fan-out, JSON', 'tidings'],
  ['Group fan-out, JSON', 'socket.io'],
  ['Group fan-out, JSON', 'ws-batched'],
  ['Group fan-out, JSON', 'ws-coalesced'],
  ['Group fan-out, JSON', 'ws'],
  ['Group fan-out, MessagePack', 'tidings'],
  ...(onRedis
    ? ([
        ['Group fan-out through Redis, 2 nodes', 'tidings'],
        ['Group fan-out through Redis, 2 nodes', 'socket.io'],
      ] as const)
    : []),
  ['Idle memory', 'tidings'],
  ['Idle memory', 'socket.io'],
  ['Idle memory', 'ws'],
  ...['tidings', 'socket.io', 'ws-batched', 'ws-coalesced'].flatMap((system) => LATENCY_POINTS.map((point) => [point, system] as const)),
  ['Job events', 'tidings-sqlite'],
  ...(onRedis
    ? ([
        ['Job events', 'tidings-redis'],
        ['Job events', 'bullmq'],
      ] as const)
    : []),
  ['End to end, job progress to clients', 'tidings-service'],
  ...(onRedis ? ([['End to end, job progress to clients', 'bullmq+socket.io']] as const) : []),
  ['Idle connections at scale', 'tidings'],
  ['Group fan-out at scale', 'tidings'],
  ['Idle connections at scale', 'ws-batched'],
  ['Group fan-out at scale', 'ws-batched'],
  ['Official client end-to-end', 'tidings'],
];

/** Rows whose headline is a rate (deliveries or events per second) with the server's CPU per delivery beside it. */
const RATE_ROWS = /^(Group fan-out|Official client|Job events|End to end|Latency at)/;

const ROW_KEYS = ['name', 'system', 'clients', 'messages', 'deliveriesPerSec', 'p50Ms', 'p99Ms', 'rssPerConnKB', 'heapPerConnKB'];

const isPositive = (value: unknown): boolean => typeof value === 'number' && Number.isFinite(value) && value > 0;

// A tiny run of the real thing (worker processes, every system, every counter): it proves the
// bench still works, not how fast anything is, so nothing here looks at a figure's size.
test('npm run bench -- --smoke runs every scenario on every system and writes the report', async () => {
  const out = await mkdtemp(join(tmpdir(), 'tidings-bench-'));
  try {
    await run(process.execPath, ['--import', 'tsx', MAIN, '--smoke', '--out', out], { timeout: 120_000 });
    const report = JSON.parse(await readFile(join(out, 'latest.json'), 'utf8')) as BenchReport;

    assert.ok(isPositive(report.machine.cpus));
    assert.equal(report.machine.node, process.version);
    assert.deepEqual(
      report.scenarios.map((row) => [row.name, row.system]),
      EXPECTED_ROWS.map(([name, system]) => [name, system]),
    );
    for (const row of report.scenarios) {
      for (const key of ROW_KEYS) assert.ok(key in row, `${row.name} / ${row.system} lacks ${key}`);
      const where = `${row.name} / ${row.system}`;
      if (RATE_ROWS.test(row.name)) {
        assert.ok(isPositive(row.deliveriesPerSec), `${where}: deliveries per second`);
        assert.ok(typeof row.serverCpuNsPerDelivery === 'number' && row.serverCpuNsPerDelivery >= 0, `${where}: server CPU per delivery`);
      }
      if (row.name.startsWith('Latency at') || row.name.startsWith('End to end')) {
        assert.ok(isPositive(row.p50Ms) && isPositive(row.p99Ms), `${where}: percentiles`);
        assert.ok(row.p50Ms! <= row.p99Ms!, `${where}: p50 above p99`);
      }
      if (row.name === 'Idle memory' || row.name === 'Idle connections at scale') {
        // A handful of connections can round to no RSS change at all; the figures must still be numbers.
        assert.ok(Number.isFinite(row.rssPerConnKB) && Number.isFinite(row.heapPerConnKB), `${where}: memory figures`);
      }
    }
    assert.ok(isPositive(report.ratios.fanoutVsSocketio));
    assert.ok(isPositive(report.ratios.fanoutVsRawWs));
    assert.ok(isPositive(report.ratios.fanoutVsBatchedWs));
    assert.ok(isPositive(report.ratios.fanoutCpuVsBatchedWs));
    assert.ok('memVsRawWs' in report.ratios && 'scaleMemVsRawWs' in report.ratios);
    if (onRedis) {
      assert.ok(isPositive(report.ratios.redisFanoutVsSocketio));
      assert.ok(isPositive(report.ratios.jobsSqliteVsBullmq) && isPositive(report.ratios.jobsRedisVsBullmq));
      assert.ok(isPositive(report.ratios.endToEndVsBullmqSocketio));
    }

    const table = await readFile(join(out, 'latest.md'), 'utf8');
    assert.match(table, /\| Scenario \| System \| Clients \|/);
    assert.match(table, /\| Fan-out vs Socket\.IO \|/);
    assert.match(table, /\| Job events\/s, tidings on SQLite vs BullMQ \|/);
  } finally {
    await rm(out, { recursive: true, force: true });
  }
});
