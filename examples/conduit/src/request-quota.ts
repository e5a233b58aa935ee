import { type Clock, systemClock } from '@tidings/jobs';

export interface QuotaDecision {
  readonly allowed: boolean;
  readonly limit: number;
  readonly remaining: number;
  /** When the current minute's window ends. */
  readonly resetTime: string;
  /** The request made the key cross into the warning zone (or hit the limit): tell its connections. */
  readonly warn: boolean;
}

/**
 * Requests per minute per virtual key on the REST endpoints that start work.
 * Past the limit requests are refused (429); entering the last fifth of the
 * allowance, and reaching the limit, each warn once per window (the
 * `RateLimitWarning` of Conduit).
 */
export class RequestQuota {
  private readonly windows = new Map<string, { startedAt: number; used: number; warned: Set<'low' | 'exhausted'> }>();

  constructor(
    readonly limit: number,
    private readonly windowMs = 60_000,
    private readonly clock: Clock = systemClock,
  ) {}

  take(virtualKeyId: string): QuotaDecision {
    const now = this.clock.now();
    let window = this.windows.get(virtualKeyId);
    if (!window || now - window.startedAt >= this.windowMs) {
      window = { startedAt: now, used: 0, warned: new Set() };
      this.windows.set(virtualKeyId, window);
      this.prune(now);
    }
    const allowed = window.used < this.limit;
    if (allowed) window.used++;
    const remaining = this.limit - window.used;
    const zone = remaining === 0 ? 'exhausted' : remaining <= Math.floor(this.limit / 5) ? 'low' : undefined;
    const warn = zone !== undefined && !window.warned.has(zone);
    if (zone) window.warned.add(zone);
    return { allowed, limit: this.limit, remaining, resetTime: new Date(window.startedAt + this.windowMs).toISOString(), warn };
  }

  private prune(now: number): void {
    for (const [key, window] of this.windows) if (now - window.startedAt >= this.windowMs) this.windows.delete(key);
  }
}
