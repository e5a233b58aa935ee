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

/** Every (scenario, system) row a run must produce. */
const EXPECTED_ROWS = [
  ['Group fan-out, JSON', 'tidings'],
  ['Group fan-out, JSON', 'socket.io'],
  ['Group fan-out, JSON', 'ws-coalesced'],
  ['Group fan-out, JSON', 'ws'],
  ['Group fan-out, MessagePack', 'tidings'],
  // Without redis-server the Redis scenario is skipped; run-tests sets TIDINGS_REDIS_SERVER when it found one.
  ...(process.env.TIDINGS_REDIS_SERVER === '1'
    ? ([
        ['Group fan-out through Redis, 2 nodes', 'tidings'],
        ['Group fan-out through Redis, 2 nodes', 'socket.io'],
      ] as const)
    : []),
  ['Idle memory', 'tidings'],
  ['Idle memory', 'socket.io'],
  ['Idle memory', 'ws'],
  ['Latency under load', 'tidings'],
  ['Latency under load', 'socket.io'],
  ['Latency under load', 'ws-coalesced'],
  ['Official client end-to-end', 'tidings'],
] as const;

const ROW_KEYS = ['name', 'system', 'clients', 'messages', 'deliveriesPerSec', 'p50Ms', 'p99Ms', 'rssPerConnKB', 'heapPerConnKB'];

const isPositive = (value: unknown): boolean => typeof value === 'number' && Number.isFinite(value) && value > 0;

// A tiny run of the real thing (worker processes, every system, every counter): it proves the
// bench still works, not how fast anything is, so nothing here looks at a figure's size.
test('npm run bench -- --smoke runs every scenario on every system and writes the report', async () => {
  const out = await mkdtemp(join(tmpdir(), 'tidings-bench-'));
  try {
    await run(process.execPath, ['--conditions=tidings-src', '--import', 'tsx', MAIN, '--smoke', '--out', out], { timeout: 120_000 });
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
      if (row.name.startsWith('Group fan-out') || row.name.startsWith('Official client')) {
        assert.ok(isPositive(row.deliveriesPerSec), `${where}: deliveries per second`);
      } else if (row.name === 'Latency under load') {
        assert.ok(isPositive(row.p50Ms) && isPositive(row.p99Ms), `${where}: percentiles`);
        assert.ok(row.p50Ms! <= row.p99Ms!, `${where}: p50 above p99`);
      } else {
        // A handful of connections can round to no RSS change at all; the figures must still be numbers.
        assert.ok(Number.isFinite(row.rssPerConnKB) && Number.isFinite(row.heapPerConnKB), `${where}: memory figures`);
      }
    }
    assert.ok(isPositive(report.ratios.fanoutVsSocketio));
    assert.ok(isPositive(report.ratios.fanoutVsRawWs));
    assert.ok('memVsRawWs' in report.ratios);
    if (process.env.TIDINGS_REDIS_SERVER === '1') assert.ok(isPositive(report.ratios.redisFanoutVsSocketio));

    const table = await readFile(join(out, 'latest.md'), 'utf8');
    assert.match(table, /\| Scenario \| System \| Clients \|/);
    assert.match(table, /\| Fan-out vs Socket\.IO \|/);
  } finally {
    await rm(out, { recursive: true, force: true });
  }
});
