import type { Redis } from 'ioredis';
import type { AcknowledgementLedger, Delivery } from './acknowledgement-ledger.js';
import { RedisScript } from './redis-scripts.js';

// A message's hash: connection id -> 'p:{user}' while pending, 's' once settled; deleted when nothing waits.
const PRUNE = `
local function prune()
  local values = redis.call('HVALS', KEYS[1])
  for _, v in ipairs(values) do if string.sub(v, 1, 2) == 'p:' then return end end
  redis.call('DEL', KEYS[1])
end`;

// ARGV: the acknowledging connection, its user ('' for none). Returns the settled connections.
const ACKNOWLEDGE = new RedisScript(`${PRUNE}
local settled = {}
local own = redis.call('HGET', KEYS[1], ARGV[1])
if own then
  if string.sub(own, 1, 2) == 'p:' then settled[1] = ARGV[1] end
elseif ARGV[2] ~= '' then
  local all = redis.call('HGETALL', KEYS[1])
  for i = 1, #all, 2 do
    if all[i + 1] == 'p:' .. ARGV[2] then settled[#settled + 1] = all[i] end
  end
end
for _, id in ipairs(settled) do redis.call('HSET', KEYS[1], id, 's') end
if #settled > 0 then prune() end
return settled
`);

// ARGV: the connection. 1 when it was pending (and is now given up on), else 0.
const GIVE_UP = new RedisScript(`${PRUNE}
local v = redis.call('HGET', KEYS[1], ARGV[1])
if not v or string.sub(v, 1, 2) ~= 'p:' then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], 's')
prune()
return 1
`);

/**
 * The acknowledgement ledger of a scaled service, in Redis: one hash per
 * critical message (`{prefix}:conduit:acks:{messageId}`), so a delivery made by
 * one node and acknowledged through another is settled once, atomically, and
 * the sending node's timer then finds it settled and neither re-sends nor
 * dead-letters it. A message left by a node that died expires after `ttlMs`.
 */
export class RedisAcknowledgementLedger implements AcknowledgementLedger {
  private readonly base: string;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    private readonly ttlMs = 24 * 60 * 60 * 1000,
  ) {
    this.base = `${prefix}:conduit:acks`;
  }

  async open(delivery: Delivery): Promise<void> {
    const key = this.keyOf(delivery.messageId);
    await this.redis
      .multi()
      .hset(key, delivery.connectionId, `p:${delivery.userIdentifier ?? ''}`)
      .pexpire(key, this.ttlMs)
      .exec();
  }

  async acknowledge(messageId: string, connectionId: string, userIdentifier: string | null): Promise<readonly string[]> {
    return (await ACKNOWLEDGE.run(this.redis, [this.keyOf(messageId)], [connectionId, userIdentifier ?? ''])) as string[];
  }

  async pending(messageId: string, connectionId: string): Promise<boolean> {
    return (await this.redis.hget(this.keyOf(messageId), connectionId))?.startsWith('p:') === true;
  }

  async giveUp(messageId: string, connectionId: string): Promise<boolean> {
    return Number(await GIVE_UP.run(this.redis, [this.keyOf(messageId)], [connectionId])) === 1;
  }

  private keyOf(messageId: string): string {
    return `${this.base}:${messageId}`;
  }
}
