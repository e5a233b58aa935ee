import { timingSafeEqual } from 'node:crypto';
import type { Redis } from 'ioredis';
import { RedisScript } from './redis-scripts.js';
import { VIRTUAL_KEY_PREFIX, type VirtualKey, type VirtualKeys, keyDigest, newVirtualKey } from './virtual-keys.js';

const REVOKE = new RedisScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if redis.call('HGET', KEYS[1], 'revokedAt') == '' then redis.call('HSET', KEYS[1], 'revokedAt', ARGV[1]) end
return 1
`);

/**
 * Conduit's virtual keys in Redis, for every node of a scaled service: a hash
 * per key (`{prefix}:conduit:keys:{id}`, the key's SHA-256 in hex, never the
 * key), an index from digest to id, and the ids in order. No node caches a
 * key: each authentication reads Redis, so a key revoked through any node is
 * refused by every node from then on.
 */
export class RedisVirtualKeyStore implements VirtualKeys {
  private readonly base: string;

  constructor(
    private readonly redis: Redis,
    prefix: string,
  ) {
    this.base = `${prefix}:conduit:keys`;
  }

  /** The hash of key `id`: its fields, and its running spend (see RedisSpendLedger). */
  keyOf(id: string): string {
    return `${this.base}:${id}`;
  }

  async issue(name: string, maxBudget: number | null): Promise<{ key: string; virtualKey: VirtualKey }> {
    const { key, digest, keyPrefix } = newVirtualKey();
    const id = String(await this.redis.incr(`${this.base}:next-id`));
    const fields = { name, keyHash: digest.toString('hex'), keyPrefix, maxBudget: maxBudget === null ? '' : String(maxBudget), currentSpend: '0', createdAt: new Date().toISOString(), revokedAt: '' };
    await this.redis
      .multi()
      .hset(this.keyOf(id), fields)
      .hset(`${this.base}:by-digest`, fields.keyHash, id)
      .zadd(`${this.base}:ids`, Number(id), id)
      .exec();
    return { key, virtualKey: fromFields(id, fields) };
  }

  async authenticate(key: string): Promise<VirtualKey | undefined> {
    if (!key.startsWith(VIRTUAL_KEY_PREFIX)) return undefined;
    const digest = keyDigest(key);
    const id = await this.redis.hget(`${this.base}:by-digest`, digest.toString('hex'));
    if (id === null) return undefined;
    const fields = await this.redis.hgetall(this.keyOf(id));
    if (!fields.keyHash) return undefined;
    const stored = Buffer.from(fields.keyHash, 'hex');
    if (stored.length !== digest.length || !timingSafeEqual(stored, digest) || fields.revokedAt) return undefined;
    return fromFields(id, fields);
  }

  async get(id: string): Promise<VirtualKey | undefined> {
    const numeric = Number(id);
    if (!Number.isSafeInteger(numeric) || numeric < 1 || String(numeric) !== id) return undefined;
    const fields = await this.redis.hgetall(this.keyOf(id));
    return fields.keyHash ? fromFields(id, fields) : undefined;
  }

  async list(): Promise<VirtualKey[]> {
    const ids = await this.redis.zrange(`${this.base}:ids`, 0, -1);
    if (ids.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hgetall(this.keyOf(id));
    const rows = (await pipeline.exec()) ?? [];
    return ids.flatMap((id, i) => {
      const fields = rows[i]?.[1] as Record<string, string> | undefined;
      return fields?.keyHash ? [fromFields(id, fields)] : [];
    });
  }

  async revoke(id: string): Promise<VirtualKey | undefined> {
    if ((await this.get(id)) === undefined) return undefined;
    await REVOKE.run(this.redis, [this.keyOf(id)], [new Date().toISOString()]);
    return this.get(id);
  }
}

function fromFields(id: string, fields: Record<string, string>): VirtualKey {
  return {
    id,
    name: fields.name ?? '',
    keyPrefix: fields.keyPrefix ?? '',
    maxBudget: fields.maxBudget ? Number(fields.maxBudget) : null,
    currentSpend: Number(fields.currentSpend ?? 0),
    createdAt: fields.createdAt ?? '',
    revokedAt: fields.revokedAt || null,
  };
}
