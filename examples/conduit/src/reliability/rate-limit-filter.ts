import { type HubCallerContext, HubException, type HubFilter } from '@tidings/hub';
import type { FixedWindowRateLimiter } from './fixed-window-rate-limiter.js';

export interface RateLimitFilterOptions {
  /** Methods that never count (case-insensitive): answers to the server's own messages, say. */
  readonly exempt?: readonly string[];
  /** The partition of a caller. Default: the remote IP address of its connection. */
  readonly partitionOf?: (context: HubCallerContext) => string;
}

/**
 * as a hub filter: invocations are limited per client IP by a
 * shared fixed window limiter (so every hub it guards draws on one budget per
 * IP). Past the limit an invocation fails at once with a HubException saying
 * when to try again: it never waits, so it never holds the connection's
 * invocation slot, and exempt calls (acknowledgements) are never stuck behind it.
 */
export function rateLimitFilter(limiter: FixedWindowRateLimiter, options: RateLimitFilterOptions = {}): HubFilter {
  const exempt = new Set((options.exempt ?? []).map((m) => m.toLowerCase()));
  const partitionOf = options.partitionOf ?? ((context: HubCallerContext) => context.request.remoteAddress ?? 'unknown');
  const per = limiter.windowMs === 60_000 ? 'minute' : `${limiter.windowMs} ms`;
  return {
    async invokeMethod(invocation, next) {
      if (exempt.has(invocation.methodName.toLowerCase())) return next(invocation);
      const retryAfterMs = limiter.tryAcquire(partitionOf(invocation.context));
      if (retryAfterMs > 0) {
        const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
        throw new HubException(`Too many requests: at most ${limiter.permitLimit} hub invocations per ${per} from one IP address. Try again in ${seconds} s.`);
      }
      return next(invocation);
    },
  };
}
