import type { Redis } from 'ioredis';
import { LUA_ROUND_CENTS, RedisScript } from './redis-scripts.js';
import type { RedisVirtualKeyStore } from './redis-virtual-key-store.js';
import type { RecordedSpend, SpendLedger, SpendWindow } from './spend-ledger.js';

// KEYS: the key's hash, its window. ARGV: amount, now, window length.
// The total and the window change together, so a window's previous + delta is always its current.
const RECORD = new RedisScript(`${LUA_ROUND_CENTS}
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
local amount, now, windowMs = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local previous = tonumber(redis.call('HGET', KEYS[1], 'currentSpend')) or 0
local current = round(previous + amount)
redis.call('HSET', KEYS[1], 'currentSpend', tostring(current))
local opened = 0
local deadline = tonumber(redis.call('HGET', KEYS[2], 'deadline'))
if not deadline then
  redis.call('HSET', KEYS[2], 'previousSpend', tostring(previous), 'currentSpend', tostring(current), 'delta', tostring(round(amount)), 'updates', 1, 'deadline', tostring(now + windowMs))
  opened = 1
else
  local delta = round(tonumber(redis.call('HGET', KEYS[2], 'delta')) + amount)
  redis.call('HSET', KEYS[2], 'currentSpend', tostring(current), 'delta', tostring(delta))
  redis.call('HINCRBY', KEYS[2], 'updates', 1)
  -- A window a whole length past its end lost its opener (a node that died): this record sends it.
  if now > deadline + windowMs then
    redis.call('HSET', KEYS[2], 'deadline', tostring(now + windowMs))
    opened = 1
  end
end
return {tostring(previous), tostring(current), opened}
`);

const TAKE = new RedisScript(`
local window = redis.call('HGETALL', KEYS[1])
if #window == 0 then return false end
redis.call('DEL', KEYS[1])
return window
`);

// KEYS: the history list. ARGV: delta, how many to keep.
const REMEMBER = new RedisScript(`
local past = redis.call('LRANGE', KEYS[1], 0, -1)
redis.call('RPUSH', KEYS[1], ARGV[1])
redis.call('LTRIM', KEYS[1], -tonumber(ARGV[2]), -1)
return past
`);

/** How long a billed task is remembered: far longer than any node takes to hear it end. */
const CLAIM_TTL_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * Spend of a scaled service in Redis: totals in the keys' hashes, each key's
 * open window in `{prefix}:conduit:spend:window:{id}` (taken atomically by the
 * node that opened it, so one SpendUpdate per key and window cluster-wide),
 * the recent deltas in a list, and the billed tasks.
 */
export class RedisSpendLedger implements SpendLedger {
  private readonly base: string;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    private readonly keys: RedisVirtualKeyStore,
  ) {
    this.base = `${prefix}:conduit:spend`;
  }

  async record(virtualKeyId: string, amount: number, now: number, windowMs: number): Promise<RecordedSpend | undefined> {
    const result = (await RECORD.run(this.redis, [this.keys.keyOf(virtualKeyId), `${this.base}:window:${virtualKeyId}`], [amount, now, windowMs])) as [string, string, number] | null;
    if (!result) return undefined;
    return { previous: Number(result[0]), current: Number(result[1]), opened: result[2] === 1 };
  }

  async take(virtualKeyId: string): Promise<SpendWindow | undefined> {
    const flat = (await TAKE.run(this.redis, [`${this.base}:window:${virtualKeyId}`], [])) as string[] | null;
    if (!flat) return undefined;
    const fields: Record<string, string> = {};
    for (let i = 0; i < flat.length; i += 2) fields[flat[i]!] = flat[i + 1]!;
    return { previousSpend: Number(fields.previousSpend), currentSpend: Number(fields.currentSpend), delta: Number(fields.delta), updates: Number(fields.updates) };
  }

  async remember(virtualKeyId: string, delta: number, keep: number): Promise<number[]> {
    return ((await REMEMBER.run(this.redis, [`${this.base}:history:${virtualKeyId}`], [delta, keep])) as string[]).map(Number);
  }

  async claimTask(taskId: string): Promise<boolean> {
    return (await this.redis.set(`${this.base}:billed:${taskId}`, '1', 'PX', CLAIM_TTL_MS, 'NX')) === 'OK';
  }
}
