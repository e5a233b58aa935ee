import { RateLimiterMemory, type RateLimiterRes } from 'rate-limiter-flexible';

/** The client IP has failed authentication too often; answer 429 with this many seconds in `Retry-After`. */
export class TooManyFailedAuthentications extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super('Too many failed authentication attempts from this address. Try again later.');
  }
}

/**
 * Counts failed authentications per client IP over a window (rate-limiter-flexible's
 * in-memory limiter). Once an address has used up its failures, it is refused before
 * its credentials are even checked: a guesser cannot tell a right guess from a wrong one.
 */
export class FailedAuthLimiter {
  private readonly limiter: RateLimiterMemory | undefined;

  constructor(
    private readonly maxFailures: number,
    windowMs: number,
  ) {
    this.limiter = Number.isFinite(maxFailures) ? new RateLimiterMemory({ points: maxFailures, duration: windowMs / 1000 }) : undefined;
  }

  /** Throws TooManyFailedAuthentications if `address` may not try again yet. */
  async check(address: string | undefined): Promise<void> {
    if (!this.limiter) return;
    const state = await this.limiter.get(keyOf(address));
    if (state && state.consumedPoints >= this.maxFailures) throw new TooManyFailedAuthentications(retryAfter(state));
  }

  /** Counts one failed authentication from `address`. */
  async recordFailure(address: string | undefined): Promise<void> {
    await this.limiter?.penalty(keyOf(address), 1);
  }
}

function keyOf(address: string | undefined): string {
  return address ?? 'unknown';
}

function retryAfter(state: RateLimiterRes): number {
  return Math.max(1, Math.ceil(state.msBeforeNext / 1000));
}
