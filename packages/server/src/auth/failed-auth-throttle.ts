import type { Authenticator } from '@tidings/hub';
import { RateLimiterMemory } from 'rate-limiter-flexible';

export interface FailedAuthThrottleOptions {
  /** Failed authentications allowed per client IP within a window. Default 20. */
  readonly limit?: number;
  /** The window, in seconds; an IP past the limit waits until its window ends. Default 60. */
  readonly windowSeconds?: number;
}

/**
 * Throttles credential guessing per client IP, as nginx's `limit_req` or
 * fail2ban would in front of a service: every refused credential (a JWT that
 * does not verify, a wrong Conduit master key or virtual key) counts, and an
 * IP past the limit is refused before any verification work until its window
 * ends. Successes do not clear the count: one valid credential must not buy
 * an attacker fresh guesses.
 */
export class FailedAuthThrottle {
  readonly limit: number;
  readonly windowSeconds: number;
  private readonly failures: RateLimiterMemory;

  constructor(options: FailedAuthThrottleOptions = {}) {
    this.limit = options.limit ?? 20;
    this.windowSeconds = options.windowSeconds ?? 60;
    if (!Number.isInteger(this.limit) || this.limit < 1) throw new RangeError('limit must be a positive integer.');
    this.failures = new RateLimiterMemory({ points: this.limit, duration: this.windowSeconds });
  }

  /** Seconds until `ip` may try again (at least 1), or 0 when it may try now. */
  async retryAfterSeconds(ip: string): Promise<number> {
    const state = await this.failures.get(ip);
    if (!state || state.consumedPoints < this.limit) return 0;
    return Math.max(1, Math.ceil(state.msBeforeNext / 1000));
  }

  /** Counts one refused credential from `ip`. */
  async failed(ip: string): Promise<void> {
    await this.failures.penalty(ip, 1);
  }

  /**
   * A hub authenticator under this throttle: a presented credential from an IP
   * past the limit is refused before `authenticate` looks at it, and each one
   * `authenticate` refuses counts. (The hub answers both with 401.)
   */
  guardHub(authenticate: Authenticator): Authenticator {
    return async (request, token) => {
      if (!token) return authenticate(request, token);
      const ip = request.remoteAddress ?? 'unknown';
      if ((await this.retryAfterSeconds(ip)) > 0) return null;
      const user = await authenticate(request, token);
      if (!user) await this.failed(ip);
      return user;
    };
  }
}
