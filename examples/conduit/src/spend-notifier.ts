import { type Clock, type TimerHandle, systemClock } from '@tidings/jobs';
import type { ReliableMessenger } from './reliability/reliable-messenger.js';
import type { ConduitHubTarget } from './conduit-hub-targets.js';
import { GroupPatterns } from './conduit-constants.js';
import type { SpendLedger, SpendWindow } from './stores/spend-ledger.js';
import { type VirtualKeys, roundCents } from './stores/virtual-keys.js';
import { type Logger } from '@tidings/server';

/** Percentages of a key's budget that raise a BudgetAlert when crossed. */
export const BUDGET_THRESHOLDS = [50, 80, 90, 100] as const;

/** A window's delta this many times the key's recent average is unusual. */
const UNUSUAL_FACTOR = 5;
const HISTORY = 10;

export interface SpendNotifierOptions {
  readonly keys: VirtualKeys;
  readonly ledger: SpendLedger;
  readonly messenger: ReliableMessenger;
  readonly hub: () => ConduitHubTarget;
  /** Spend of a key is summed over this window, then sent as one SpendUpdate. Default 1000 ms (Conduit). */
  readonly windowMs?: number;
  readonly clock?: Clock;
  readonly logger?: Logger;
}

/**
 * Conduit's pattern and "Message Batching for High-Frequency Events": spend
 * is recorded at once (the ledger: SQLite, or Redis in scaled mode), and each
 * key's changes within a window go out as one `SpendUpdate` to `vkey-{id}` with
 * the deltas summed, the total before the window and after it — sent by the
 * node that opened the window, to the key's connections on every node.
 * Crossing 50/80/90/100 % of the key's budget sends a `BudgetAlert`; a window
 * far above the key's recent average sends `UnusualSpending`.
 */
export class SpendNotifier {
  readonly windowMs: number;
  readonly metrics = { recorded: 0, updatesSent: 0, budgetAlerts: 0, unusual: 0 };
  private readonly clock: Clock;
  /** Keys whose open window this node sends when it ends. */
  private owned = new Set<string>();
  private timer: TimerHandle | undefined;

  constructor(private readonly options: SpendNotifierOptions) {
    this.windowMs = options.windowMs ?? 1000;
    this.clock = options.clock ?? systemClock;
  }

  /** Adds `amount` dollars to the key's spend; undefined when there is no such key. */
  async record(virtualKeyId: string, amount: number): Promise<{ previous: number; current: number } | undefined> {
    const recorded = await this.options.ledger.record(virtualKeyId, amount, this.clock.now(), this.windowMs);
    if (!recorded) return undefined;
    this.metrics.recorded++;
    if (recorded.opened) {
      this.owned.add(virtualKeyId);
      this.timer ??= this.clock.setTimeout(() => void this.flush(), this.windowMs);
    }
    return { previous: recorded.previous, current: recorded.current };
  }

  /** A finished task's cost, billed once however many nodes hear it end. */
  async recordTask(taskId: string, virtualKeyId: string, cost: number): Promise<void> {
    if (await this.options.ledger.claimTask(taskId)) await this.record(virtualKeyId, cost);
  }

  /** Sends the summed update of every window this node opened, now. */
  async flush(): Promise<void> {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    const keys = this.owned;
    this.owned = new Set();
    const timestamp = new Date(this.clock.now()).toISOString();
    await Promise.all(
      [...keys].map(async (virtualKeyId) => {
        try {
          const spend = await this.options.ledger.take(virtualKeyId);
          if (spend) await this.notify(virtualKeyId, spend, timestamp);
        } catch (error) {
          this.options.logger?.warn({ err: error, virtualKeyId }, 'a spend update could not be sent');
        }
      }),
    );
  }

  private async notify(virtualKeyId: string, spend: SpendWindow, timestamp: string): Promise<void> {
    // Cluster-wide, not `local`: the ledger gives each window to one node, which sends it to the key's connections on every node.
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

    const budget = (await this.options.keys.get(virtualKeyId))?.maxBudget ?? null;
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

    const past = await this.options.ledger.remember(virtualKeyId, spend.delta, HISTORY);
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
  }

  close(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }
}
