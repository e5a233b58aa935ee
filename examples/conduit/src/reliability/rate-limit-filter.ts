import { type HubCallerContext, HubException, type HubFilter } from '@tidings/hub';
import { type FixedWindowRateLimiter, RateLimitExceeded } from './fixed-window-rate-limiter.js';

export interface RateLimitFilterOptions {
  /** Methods that never count (case-insensitive): answers to the server's own messages, say. */
  readonly exempt?: readonly string[];
  /** The partition of a caller. Default: the remote IP address of its connection. */
  readonly partitionOf?: (context: HubCallerContext) => string;
}

/**
 * as a hub filter: invocations are limited per client IP by a
 * shared fixed window limiter (so every hub it guards draws on one budget per
 * IP). Past the limit an invocation waits in the queue for the next window;
 * with the queue full it fails with a HubException saying when to try again.
 */
export function rateLimitFilter(limiter: FixedWindowRateLimiter, options: RateLimitFilterOptions = {}): HubFilter {
  const exempt = new Set((options.exempt ?? []).map((m) => m.toLowerCase()));
  const partitionOf = options.partitionOf ?? ((context: HubCallerContext) => context.request.remoteAddress ?? 'unknown');
  const per = limiter.windowMs === 60_000 ? 'minute' : `${limiter.windowMs} ms`;
  return {
    async invokeMethod(invocation, next) {
      if (exempt.has(invocation.methodName.toLowerCase())) return next(invocation);
      try {
        await limiter.acquire(partitionOf(invocation.context), invocation.signal);
      } catch (error) {
        if (!(error instanceof RateLimitExceeded)) throw error;
        const seconds = Math.max(1, Math.ceil(error.retryAfterMs / 1000));
        throw new HubException(
          `Too many requests: at most ${limiter.permitLimit} hub invocations per ${per} from one IP address, and ${limiter.queueLimit} waiting. Try again in ${seconds} s.`,
        );
      }
      return next(invocation);
    },
  };
}
