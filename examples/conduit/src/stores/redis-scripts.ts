import type { Redis } from 'ioredis';

/**
 * A Lua script run with EVALSHA (falling back to EVAL once Redis has
 * forgotten it, after a restart): each of the Redis stores' read-modify-writes is
 * one script, so two nodes never interleave inside one.
 */
export class RedisScript {
  private sha: string | undefined;

  constructor(private readonly source: string) {}

  async run(redis: Redis, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    this.sha ??= (await redis.script('LOAD', this.source)) as string;
    try {
      return await redis.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.includes('NOSCRIPT')) throw error;
      return redis.eval(this.source, keys.length, ...keys, ...args);
    }
  }
}

/** Lua's rounding to a hundredth of a cent, as `roundCents` does it (amounts are positive). */
export const LUA_ROUND_CENTS = 'local function round(x) return math.floor(x * 10000 + 0.5) / 10000 end';
