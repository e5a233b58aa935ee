import { type Clock, type TimerHandle, systemClock } from '@tidings/jobs';
import type { HubTarget, ReliableMessenger } from './reliability/reliable-messenger.js';
import { GroupPatterns } from './conduit-constants.js';
import { type VirtualKeyStore, roundCents } from './virtual-key-store.js';
import { type Logger } from '@tidings/server';

/** Percentages of a key's budget that raise a BudgetAlert when crossed. */
export const BUDGET_THRESHOLDS = [50, 80, 90, 100] as const;

/** A window's delta this many times the key's recent average is unusual. */
const UNUSUAL_FACTOR = 5;
const HISTORY = 10;

interface PendingSpend {
  readonly previousSpend: number;
  currentSpend: number;
  delta: number;
  updates: number;
}

export interface SpendNotifierOptions {
  readonly keys: VirtualKeyStore;
  readonly messenger: ReliableMessenger;
  readonly hub: () => HubTarget;
  /** Spend of a key is summed over this window, then sent as one SpendUpdate. Default 1000 ms (Conduit). */
  readonly windowMs?: number;
  readonly clock?: Clock;
  readonly logger?: Logger;
}

/**
 * Conduit's pattern and "Message Batching for High-Frequency Events": spend
 * is recorded at once (SQLite), and each key's changes within a window go out
 * as one `SpendUpdate` to `vkey-{id}` with the deltas summed, the total before
 * the window and after it. Crossing 50/80/90/100 % of the key's budget sends a
 * `BudgetAlert`; a window far above the key's recent average sends
 * `UnusualSpending`.
 */
export class SpendNotifier {
  readonly windowMs: number;
  readonly metrics = { recorded: 0, updatesSent: 0, budgetAlerts: 0, unusual: 0 };
  private readonly clock: Clock;
  private pending = new Map<string, PendingSpend>();
  private readonly history = new Map<string, number[]>();
  private timer: TimerHandle | undefined;

  constructor(private readonly options: SpendNotifierOptions) {
    this.windowMs = options.windowMs ?? 1000;
    this.clock = options.clock ?? systemClock;
  }

  /** Adds `amount` dollars to the key's spend; undefined when there is no such key. */
  record(virtualKeyId: string, amount: number): { previous: number; current: number } | undefined {
    const totals = this.options.keys.addSpend(virtualKeyId, amount);
    if (!totals) return undefined;
    this.metrics.recorded++;
    const entry = this.pending.get(virtualKeyId);
    if (entry) {
      entry.currentSpend = totals.current;
      entry.delta = roundCents(entry.delta + amount);
      entry.updates++;
    } else {
      this.pending.set(virtualKeyId, { previousSpend: totals.previous, currentSpend: totals.current, delta: roundCents(amount), updates: 1 });
    }
    if (this.timer === undefined) this.timer = this.clock.setTimeout(() => void this.flush(), this.windowMs);
    return totals;
  }

  /** Sends every key's summed update now. */
  async flush(): Promise<void> {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    this.pending = new Map();
    const timestamp = new Date(this.clock.now()).toISOString();
    await Promise.all(
      [...batch].map(async ([virtualKeyId, spend]) => {
        try {
          await this.notify(virtualKeyId, spend, timestamp);
        } catch (error) {
          this.options.logger?.warn({ err: error, virtualKeyId }, 'a spend update could not be sent');
        }
      }),
    );
  }

  private async notify(virtualKeyId: string, spend: PendingSpend, timestamp: string): Promise<void> {
    const hub = this.options.hub();
    const group = [GroupPatterns.virtualKey(virtualKeyId)];
    const { messenger } = this.options;
    await messenger.send(hub, group, 'SpendUpdate', {
      virtualKeyId,
      currentSpend: spend.currentSpend,
      previousSpend: spend.previousSpend,
      delta: spend.delta,
      updateCount: spend.updates,
      timestamp,
    });
    this.metrics.updatesSent++;

    const budget = this.options.keys.get(virtualKeyId)?.maxBudget ?? null;
    const crossed = budget ? BUDGET_THRESHOLDS.filter((t) => (spend.previousSpend / budget) * 100 < t && (spend.currentSpend / budget) * 100 >= t) : [];
    if (budget && crossed.length > 0) {
      const threshold = crossed[crossed.length - 1]!;
      const percentageUsed = Math.round((spend.currentSpend / budget) * 10_000) / 100;
      await messenger.send(hub, group, 'BudgetAlert', {
        virtualKeyId,
        threshold,
        percentageUsed,
        currentSpend: spend.currentSpend,
        budget,
        severity: threshold >= 100 ? 'critical' : threshold >= 90 ? 'high' : 'warning',
        message: threshold >= 100 ? `Budget exhausted: $${spend.currentSpend} of $${budget}.` : `${threshold}% of the budget used ($${spend.currentSpend} of $${budget}).`,
        timestamp,
      });
      this.metrics.budgetAlerts++;
    }

    const past = this.history.get(virtualKeyId) ?? [];
    const average = past.length > 0 ? past.reduce((a, b) => a + b, 0) / past.length : 0;
    if (past.length >= 3 && average > 0 && spend.delta >= UNUSUAL_FACTOR * average) {
      await messenger.send(hub, group, 'UnusualSpending', {
        virtualKeyId,
        delta: spend.delta,
        averageDelta: roundCents(average),
        message: `Spend of $${spend.delta} in one update is ${Math.round(spend.delta / average)} times this key's recent average.`,
        timestamp,
      });
      this.metrics.unusual++;
    }
    this.history.set(virtualKeyId, [...past, spend.delta].slice(-HISTORY));
  }

  close(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }
}
