/** Waits between reconnect attempts: the last entry repeats for ever. */
export const DEFAULT_RECONNECT_DELAYS_MS: readonly number[] = [0, 1000, 2000, 5000, 10_000, 15_000];

/**
 * The delay before attempt `attempt` (0-based). Non-zero delays get up to 20%
 * of jitter so a restarted server is not met by every client at once.
 */
export function reconnectDelay(delays: readonly number[], attempt: number, random: () => number = Math.random): number {
  if (delays.length === 0) return 0;
  const base = delays[Math.min(attempt, delays.length - 1)]!;
  return base === 0 ? 0 : Math.round(base * (1 + 0.2 * random()));
}

/** A sleep that `cancel()` ends early (resolving false). */
export function cancellableDelay(ms: number): { readonly done: Promise<boolean>; cancel(): void } {
  let finish!: (completed: boolean) => void;
  const done = new Promise<boolean>((resolve) => (finish = resolve));
  const timer = setTimeout(() => finish(true), ms);
  return {
    done,
    cancel() {
      clearTimeout(timer);
      finish(false);
    },
  };
}
