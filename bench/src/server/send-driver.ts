import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import { monotonicMicros } from '../clock.js';
import { progressUpdate } from '../contract.js';
import type { BenchSystem } from './system.js';

/**
 * Sends `messages` updates to `group` as fast as the server can: `burst` sends
 * per event-loop turn, then a yield so I/O and the system's own write
 * machinery run. Returns the monotonic time of the first send.
 */
export async function sendAsFastAsPossible(system: BenchSystem, group: string, messages: number, burst: number): Promise<number> {
  const startedAtUs = monotonicMicros();
  for (let seq = 0; seq < messages; ) {
    const end = Math.min(messages, seq + burst);
    for (; seq < end; seq++) system.broadcast(group, progressUpdate(seq));
    await nextTurn();
  }
  return startedAtUs;
}

/**
 * Offers `ratePerSec` updates per second to `group` for `durationMs`, each
 * stamped with the time of its send call. A 1 ms timer sends whatever is due,
 * so the rate holds even when timers fire late.
 */
export async function offerAtRate(system: BenchSystem, group: string, ratePerSec: number, durationMs: number): Promise<number> {
  const total = Math.round((ratePerSec * durationMs) / 1000);
  const startedAtUs = monotonicMicros();
  let sent = 0;
  while (sent < total) {
    const due = Math.min(total, Math.floor(((monotonicMicros() - startedAtUs) * ratePerSec) / 1e6) + 1);
    for (; sent < due; sent++) system.broadcast(group, progressUpdate(sent, monotonicMicros()));
    await sleep(1);
  }
  return sent;
}
