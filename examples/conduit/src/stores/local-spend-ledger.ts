import type { VirtualKeyStore } from '../virtual-key-store.js';
import type { RecordedSpend, SpendLedger, SpendWindow } from './spend-ledger.js';
import { roundCents } from './virtual-keys.js';

/** One node's spend: totals in the key store's SQLite file, windows and history in memory. */
export class LocalSpendLedger implements SpendLedger {
  private readonly windows = new Map<string, { -readonly [K in keyof SpendWindow]: SpendWindow[K] }>();
  private readonly history = new Map<string, number[]>();

  constructor(private readonly keys: VirtualKeyStore) {}

  record(virtualKeyId: string, amount: number): RecordedSpend | undefined {
    const totals = this.keys.addSpend(virtualKeyId, amount);
    if (!totals) return undefined;
    const window = this.windows.get(virtualKeyId);
    if (window) {
      window.currentSpend = totals.current;
      window.delta = roundCents(window.delta + amount);
      window.updates++;
    } else {
      this.windows.set(virtualKeyId, { previousSpend: totals.previous, currentSpend: totals.current, delta: roundCents(amount), updates: 1 });
    }
    return { ...totals, opened: !window };
  }

  take(virtualKeyId: string): SpendWindow | undefined {
    const window = this.windows.get(virtualKeyId);
    this.windows.delete(virtualKeyId);
    return window;
  }

  remember(virtualKeyId: string, delta: number, keep: number): number[] {
    const past = this.history.get(virtualKeyId) ?? [];
    this.history.set(virtualKeyId, [...past, delta].slice(-keep));
    return past;
  }

  /** One node hears each task end once. */
  claimTask(): boolean {
    return true;
  }
}
