import type { Redis } from 'ioredis';
import type { DeadLetter, DeadLetterQuery, DeadLetters, NewDeadLetter } from './dead-letters.js';
import { RedisScript } from './redis-scripts.js';

// KEYS: ids (zset), letters (hash), next id. ARGV: the letter as JSON, the maximum kept.
const ADD = new RedisScript(`
local id = redis.call('INCR', KEYS[3])
redis.call('HSET', KEYS[2], id, ARGV[1])
redis.call('ZADD', KEYS[1], id, id)
local excess = redis.call('ZCARD', KEYS[1]) - tonumber(ARGV[2])
if excess > 0 then
  local old = redis.call('ZRANGE', KEYS[1], 0, excess - 1)
  redis.call('ZREM', KEYS[1], unpack(old))
  redis.call('HDEL', KEYS[2], unpack(old))
end
return id
`);

// KEYS: ids, letters. ARGV: hub ('' for any), user ('' for any), limit, offset. Newest first.
const LIST = new RedisScript(`
local hub, user, limit, skip = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
local out, found, start = {}, 0, 0
while found < limit do
  local ids = redis.call('ZREVRANGE', KEYS[1], start, start + 199)
  if #ids == 0 then break end
  start = start + #ids
  for _, id in ipairs(ids) do
    local json = redis.call('HGET', KEYS[2], id)
    if json then
      local matches = true
      if hub ~= '' or user ~= '' then
        local letter = cjson.decode(json)
        matches = (hub == '' or letter.hub == hub) and (user == '' or letter.userIdentifier == user)
      end
      if matches then
        if skip > 0 then
          skip = skip - 1
        elseif found < limit then
          found = found + 1
          out[#out + 1] = id
          out[#out + 1] = json
        end
      end
    end
  end
end
return out
`);

// KEYS: ids, letters. Returns how many were removed.
const CLEAR = new RedisScript(`
local n = redis.call('ZCARD', KEYS[1])
redis.call('DEL', KEYS[1], KEYS[2])
return n
`);

/**
 * Conduit's dead letters in Redis: one list for every node of a scaled
 * service (`{prefix}:conduit:dead-letters`, the letters by id and their ids in
 * order), so a letter written by one node is listed, counted and removed
 * through any. The last `maxEntries` are kept, as on SQLite.
 */
export class RedisDeadLetterStore implements DeadLetters {
  private readonly ids: string;
  private readonly letters: string;
  private readonly nextId: string;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    private readonly maxEntries = 10_000,
  ) {
    const base = `${prefix}:conduit:dead-letters`;
    this.ids = `${base}:ids`;
    this.letters = base;
    this.nextId = `${base}:next-id`;
  }

  async add(letter: NewDeadLetter): Promise<DeadLetter> {
    const id = Number(await ADD.run(this.redis, [this.ids, this.letters, this.nextId], [JSON.stringify(letter), this.maxEntries]));
    return { ...letter, id };
  }

  async list(options: DeadLetterQuery = {}): Promise<DeadLetter[]> {
    const args = [options.hub ?? '', options.userIdentifier ?? '', options.limit ?? 100, options.offset ?? 0];
    const flat = (await LIST.run(this.redis, [this.ids, this.letters], args)) as string[];
    const out: DeadLetter[] = [];
    for (let i = 0; i < flat.length; i += 2) out.push({ ...(JSON.parse(flat[i + 1]!) as NewDeadLetter), id: Number(flat[i]) });
    return out;
  }

  count(): Promise<number> {
    return this.redis.zcard(this.ids);
  }

  async remove(id: number): Promise<boolean> {
    const [removed] = (await this.redis.multi().zrem(this.ids, String(id)).hdel(this.letters, String(id)).exec()) ?? [];
    return removed?.[1] === 1;
  }

  async clear(): Promise<number> {
    return Number(await CLEAR.run(this.redis, [this.ids, this.letters], []));
  }
}
