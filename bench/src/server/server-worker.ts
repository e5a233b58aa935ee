import { setTimeout as sleep } from 'node:timers/promises';
import { cpuMicros } from '../clock.js';
import { type CommandHandlers, serveCommands } from '../rpc.js';
import { startSystem } from './start-system.js';
import { offerAtRate, sendAsFastAsPossible } from './send-driver.js';
import type { BenchSystem, SystemName } from './system.js';

export interface MemorySample {
  readonly rss: number;
  readonly heapUsed: number;
}

export type ServerCommands = {
  start: { arg: { system: SystemName; redisUrl?: string }; result: { port: number } };
  fanout: { arg: { group: string; messages: number; burst: number }; result: { startedAtUs: number } };
  offer: { arg: { group: string; ratePerSec: number; durationMs: number }; result: { sent: number } };
  /** Memory after full garbage collections, once freed socket buffers have been given back. */
  memory: { arg: null; result: MemorySample };
  /** CPU microseconds used so far, to charge a round's work to the server. */
  cpu: { arg: null; result: number };
};

const gc = (globalThis as { gc?: () => void }).gc;

async function measureMemory(): Promise<MemorySample> {
  if (!gc) throw new Error('The server worker needs --expose-gc to measure memory.');
  for (let i = 0; i < 3; i++) {
    gc();
    await sleep(100);
  }
  const { rss, heapUsed } = process.memoryUsage();
  return { rss, heapUsed };
}

let system: BenchSystem | undefined;

function running(): BenchSystem {
  if (!system) throw new Error('No system started.');
  return system;
}

const handlers: CommandHandlers<ServerCommands> = {
  async start({ system: name, redisUrl }) {
    if (system) throw new Error('A system is already running in this worker.');
    system = await startSystem(name, { redisUrl });
    return { port: system.port };
  },
  async fanout({ group, messages, burst }) {
    return { startedAtUs: await sendAsFastAsPossible(running(), group, messages, burst) };
  },
  async offer({ group, ratePerSec, durationMs }) {
    return { sent: await offerAtRate(running(), group, ratePerSec, durationMs) };
  },
  memory: measureMemory,
  cpu: cpuMicros,
};

serveCommands(handlers);
