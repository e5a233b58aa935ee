import { cpus, loadavg } from 'node:os';
import type { BenchConfig } from './config.js';
import { FANOUT_JSON, FANOUT_REDIS, IDLE_MEMORY, LATENCY } from './scenarios/index.js';
import type { ScenarioResult } from './scenarios/scenario.js';
import type { SystemName } from './server/system.js';

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
  /** tidings ÷ raw ws RSS per idle connection. */
  readonly memVsRawWs: number | null;
  /** tidings ÷ Socket.IO deliveries per second, fan-out across 2 nodes through Redis (each on its own adapter). */
  readonly redisFanoutVsSocketio: number | null;
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

function figure(rows: readonly ScenarioResult[], name: string, system: SystemName, key: 'deliveriesPerSec' | 'rssPerConnKB' | 'p99Ms'): number | null {
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
    redisFanoutVsSocketio: ratio(figure(rows, FANOUT_REDIS, 'tidings', 'deliveriesPerSec'), figure(rows, FANOUT_REDIS, 'socket.io', 'deliveriesPerSec')),
  };
}

interface Target {
  readonly label: string;
  readonly value: number | null;
  readonly goal: string;
  readonly met: (value: number) => boolean;
}

export function targets(report: BenchReport): Target[] {
  const { ratios, scenarios } = report;
  return [
    { label: 'Fan-out vs Socket.IO', value: ratios.fanoutVsSocketio, goal: '≥ 4×', met: (v) => v >= 4 },
    { label: 'Fan-out vs raw ws (coalesced)', value: ratios.fanoutVsRawWs, goal: '≥ 0.7×', met: (v) => v >= 0.7 },
    { label: 'Idle memory vs raw ws', value: ratios.memVsRawWs, goal: '≤ 1.5×', met: (v) => v <= 1.5 },
    { label: 'Fan-out through Redis, 2 nodes, vs Socket.IO', value: ratios.redisFanoutVsSocketio, goal: '≥ 2×', met: (v) => v >= 2 },
    { label: 'p99 latency (ms)', value: figure(scenarios, LATENCY, 'tidings', 'p99Ms'), goal: '≤ 20 ms', met: (v) => v <= 20 },
  ];
}

const dash = (value: number | null): string => (value === null ? '–' : value.toLocaleString('en-US'));

export function renderMarkdown(report: BenchReport): string {
  const { machine } = report;
  const lines = [
    `Machine: ${machine.cpus} × ${machine.cpuModel}, Node ${machine.node}, load average ${machine.loadAverage.join(' / ')} at start; run took ${report.durationSec} s.`,
    '',
    '| Scenario | System | Clients | Messages | Deliveries/s | p50 ms | p99 ms | RSS/conn KB | Heap/conn KB |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...report.scenarios.map((r) =>
      `| ${r.name} | ${r.system} | ${dash(r.clients)} | ${dash(r.messages)} | ${dash(r.deliveriesPerSec)} | ${dash(r.p50Ms)} | ${dash(r.p99Ms)} | ${dash(r.rssPerConnKB)} | ${dash(r.heapPerConnKB)} |`,
    ),
    '',
    '| Target | Measured | Goal | Met |',
    '| --- | ---: | --- | --- |',
    ...targets(report).map((t) => `| ${t.label} | ${dash(t.value)} | ${t.goal} | ${t.value === null ? 'not measured' : t.met(t.value) ? 'yes' : 'NO'} |`),
  ];
  return `${lines.join('\n')}\n`;
}
