import { cpus, loadavg } from 'node:os';
import type { BenchConfig } from './config.js';
import { FANOUT_JSON, FANOUT_REDIS, IDLE_MEMORY } from './scenarios/index.js';
import { SCALE_MEMORY_NAME } from './scenarios/connections-at-scale.js';
import { END_TO_END_NAME } from './scenarios/end-to-end.js';
import { JOBS_NAME } from './scenarios/jobs.js';
import { latencyName } from './scenarios/latency.js';
import type { ScenarioResult } from './scenarios/scenario.js';

export interface Machine {
  readonly cpus: number;
  readonly node: string;
  readonly cpuModel: string;
  /** 1, 5 and 15 minute load averages when the run started: how busy the machine was. */
  readonly loadAverage: readonly number[];
}

export interface Ratios {
  /** tidings ÷ Socket.IO deliveries per second, JSON fan-out. */
  readonly fanoutVsSocketio: number | null;
  /** tidings ÷ coalesced raw ws deliveries per second, JSON fan-out. */
  readonly fanoutVsRawWs: number | null;
  /** tidings ÷ frame-batched raw ws (one frame per turn shared by every recipient) deliveries per second, JSON fan-out. */
  readonly fanoutVsBatchedWs: number | null;
  /** tidings ÷ frame-batched raw ws server CPU per delivery, JSON fan-out (lower is better). */
  readonly fanoutCpuVsBatchedWs: number | null;
  /** tidings ÷ raw ws RSS per idle connection. */
  readonly memVsRawWs: number | null;
  /** tidings ÷ Socket.IO deliveries per second, fan-out across 2 nodes through Redis (each on its own adapter). */
  readonly redisFanoutVsSocketio: number | null;
  /** tidings on SQLite ÷ BullMQ job events delivered per second. */
  readonly jobsSqliteVsBullmq: number | null;
  /** tidings on Redis (Redis store, BullMQ runner) ÷ BullMQ job events delivered per second. */
  readonly jobsRedisVsBullmq: number | null;
  /** The tidings service ÷ BullMQ + Socket.IO events per second, end to end. */
  readonly endToEndVsBullmqSocketio: number | null;
  /** The tidings service ÷ BullMQ + Socket.IO p99 latency, end to end (lower is better). */
  readonly endToEndP99VsBullmqSocketio: number | null;
  /** tidings ÷ frame-batched raw ws RSS per idle connection at scale. */
  readonly scaleMemVsRawWs: number | null;
}

export interface BenchReport {
  readonly machine: Machine;
  readonly startedAt: string;
  readonly durationSec: number;
  readonly config: BenchConfig;
  readonly scenarios: readonly ScenarioResult[];
  readonly ratios: Ratios;
}

export function describeMachine(): Machine {
  const cores = cpus();
  return {
    cpus: cores.length,
    node: process.version,
    cpuModel: cores[0]?.model.trim() ?? 'unknown',
    loadAverage: loadavg().map((load) => Math.round(load * 100) / 100),
  };
}

type FigureKey = 'deliveriesPerSec' | 'rssPerConnKB' | 'p99Ms' | 'serverCpuNsPerDelivery' | 'clients';

function figure(rows: readonly ScenarioResult[], name: string, system: string, key: FigureKey): number | null {
  return rows.find((row) => row.name === name && row.system === system)?.[key] ?? null;
}

function ratio(numerator: number | null, denominator: number | null): number | null {
  if (numerator === null || denominator === null || denominator === 0) return null;
  return Math.round((numerator / denominator) * 100) / 100;
}

export function computeRatios(rows: readonly ScenarioResult[]): Ratios {
  const tidingsFanout = figure(rows, FANOUT_JSON, 'tidings', 'deliveriesPerSec');
  return {
    fanoutVsSocketio: ratio(tidingsFanout, figure(rows, FANOUT_JSON, 'socket.io', 'deliveriesPerSec')),
    fanoutVsRawWs: ratio(tidingsFanout, figure(rows, FANOUT_JSON, 'ws-coalesced', 'deliveriesPerSec')),
    memVsRawWs: ratio(figure(rows, IDLE_MEMORY, 'tidings', 'rssPerConnKB'), figure(rows, IDLE_MEMORY, 'ws', 'rssPerConnKB')),
    fanoutVsBatchedWs: ratio(tidingsFanout, figure(rows, FANOUT_JSON, 'ws-batched', 'deliveriesPerSec')),
    fanoutCpuVsBatchedWs: ratio(figure(rows, FANOUT_JSON, 'tidings', 'serverCpuNsPerDelivery'), figure(rows, FANOUT_JSON, 'ws-batched', 'serverCpuNsPerDelivery')),
    redisFanoutVsSocketio: ratio(figure(rows, FANOUT_REDIS, 'tidings', 'deliveriesPerSec'), figure(rows, FANOUT_REDIS, 'socket.io', 'deliveriesPerSec')),
    jobsSqliteVsBullmq: ratio(figure(rows, JOBS_NAME, 'tidings-sqlite', 'deliveriesPerSec'), figure(rows, JOBS_NAME, 'bullmq', 'deliveriesPerSec')),
    jobsRedisVsBullmq: ratio(figure(rows, JOBS_NAME, 'tidings-redis', 'deliveriesPerSec'), figure(rows, JOBS_NAME, 'bullmq', 'deliveriesPerSec')),
    endToEndVsBullmqSocketio: ratio(figure(rows, END_TO_END_NAME, 'tidings-service', 'deliveriesPerSec'), figure(rows, END_TO_END_NAME, 'bullmq+socket.io', 'deliveriesPerSec')),
    endToEndP99VsBullmqSocketio: ratio(figure(rows, END_TO_END_NAME, 'tidings-service', 'p99Ms'), figure(rows, END_TO_END_NAME, 'bullmq+socket.io', 'p99Ms')),
    scaleMemVsRawWs: ratio(figure(rows, SCALE_MEMORY_NAME, 'tidings', 'rssPerConnKB'), figure(rows, SCALE_MEMORY_NAME, 'ws-batched', 'rssPerConnKB')),
  };
}

interface Target {
  readonly label: string;
  readonly value: number | null;
  readonly goal: string;
  /** Undefined for a figure reported beside another with no goal set. */
  readonly met?: (value: number) => boolean;
}

export function targets(report: BenchReport): Target[] {
  const { ratios, scenarios } = report;
  return [
    { label: 'Fan-out vs Socket.IO', value: ratios.fanoutVsSocketio, goal: '≥ 4×', met: (v) => v >= 4 },
    { label: 'Fan-out vs raw ws (coalesced)', value: ratios.fanoutVsRawWs, goal: '≥ 0.7×', met: (v) => v >= 0.7 },
    { label: 'Fan-out vs frame-batched raw ws, deliveries/s', value: ratios.fanoutVsBatchedWs, goal: '≥ 0.9×', met: (v) => v >= 0.9 },
    { label: 'Fan-out vs frame-batched raw ws, server CPU per delivery', value: ratios.fanoutCpuVsBatchedWs, goal: '≤ 1.15×', met: (v) => v <= 1.15 },
    { label: 'Idle memory vs raw ws', value: ratios.memVsRawWs, goal: '≤ 1.5×', met: (v) => v <= 1.5 },
    { label: 'Fan-out through Redis, 2 nodes, vs Socket.IO', value: ratios.redisFanoutVsSocketio, goal: '≥ 2×', met: (v) => v >= 2 },
    { label: 'p99 latency at 25 % of capacity (ms)', value: figure(scenarios, latencyName(0.25), 'tidings', 'p99Ms'), goal: 'reported' },
    { label: 'Job events/s, tidings on SQLite vs BullMQ', value: ratios.jobsSqliteVsBullmq, goal: '≥ 2×', met: (v) => v >= 2 },
    { label: 'Job events/s, tidings on Redis vs BullMQ', value: ratios.jobsRedisVsBullmq, goal: '≥ 1×', met: (v) => v >= 1 },
    { label: 'End to end events/s, service vs BullMQ + Socket.IO', value: ratios.endToEndVsBullmqSocketio, goal: 'reported' },
    { label: 'End to end p99, service vs BullMQ + Socket.IO', value: ratios.endToEndP99VsBullmqSocketio, goal: 'reported' },
    { label: 'Idle connections on one node', value: figure(scenarios, SCALE_MEMORY_NAME, 'tidings', 'clients'), goal: '≥ 100,000', met: (v) => v >= 100_000 },
    { label: 'RSS per connection at scale vs raw ws', value: ratios.scaleMemVsRawWs, goal: '≤ 1.2×', met: (v) => v <= 1.2 },
  ];
}

const dash = (value: number | null): string => (value === null ? '–' : value.toLocaleString('en-US'));

export function renderMarkdown(report: BenchReport): string {
  const { machine } = report;
  const lines = [
    `Machine: ${machine.cpus} × ${machine.cpuModel}, Node ${machine.node}, load average ${machine.loadAverage.join(' / ')} at start; run took ${report.durationSec} s.`,
    '',
    '| Scenario | System | Clients | Messages | Deliveries/s | Server CPU ns/delivery | p50 ms | p99 ms | RSS/conn KB | Heap/conn KB | Note |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
    ...report.scenarios.map(
      (r) =>
        `| ${r.name} | ${r.system} | ${dash(r.clients)} | ${dash(r.messages)} | ${dash(r.deliveriesPerSec)} | ${dash(r.serverCpuNsPerDelivery ?? null)} | ` +
        `${dash(r.p50Ms)} | ${dash(r.p99Ms)} | ${dash(r.rssPerConnKB)} | ${dash(r.heapPerConnKB)} | ${r.note ?? ''} |`,
    ),
    '',
    '| Target | Measured | Goal | Met |',
    '| --- | ---: | --- | --- |',
    ...targets(report).map((t) => `| ${t.label} | ${dash(t.value)} | ${t.goal} | ${t.value === null ? 'not measured' : t.met === undefined ? '–' : t.met(t.value) ? 'yes' : 'NO'} |`),
  ];
  return `${lines.join('\n')}\n`;
}
