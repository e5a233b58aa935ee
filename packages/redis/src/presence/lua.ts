import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * Lua keeps each presence change atomic: a connection, its user entry, its
 * groups and the counters move together, and reaping a dead node is one
 * step that survivors may all attempt. Key names mirror `KeySpace`; every
 * script takes the key base as ARGV[1]. (Keys are built inside the scripts, so
 * the presence store needs a single Redis, not Redis Cluster.)
 */
const PRELUDE = `
local base = ARGV[1]

local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

local function join_group(id, name)
  if redis.call('SADD', base .. 'connection:groups:' .. id, name) == 1 then
    redis.call('SADD', base .. 'group:connections:' .. name, id)
    redis.call('SADD', base .. 'groups', name)
    redis.call('HINCRBY', base .. 'stats', 'groupMemberships', 1)
  end
end

local function forget_member(id, name)
  local set = base .. 'group:connections:' .. name
  redis.call('SREM', set, id)
  if redis.call('EXISTS', set) == 0 then redis.call('SREM', base .. 'groups', name) end
end

local function leave_group(id, name)
  if redis.call('SREM', base .. 'connection:groups:' .. id, name) == 1 then
    forget_member(id, name)
    redis.call('HINCRBY', base .. 'stats', 'groupMemberships', -1)
  end
end

local function leave_all_groups(id)
  local own = base .. 'connection:groups:' .. id
  local names = redis.call('SMEMBERS', own)
  for _, name in ipairs(names) do forget_member(id, name) end
  if #names > 0 then redis.call('HINCRBY', base .. 'stats', 'groupMemberships', -#names) end
  redis.call('DEL', own)
end

local function remove_connection(id)
  local key = base .. 'connection:' .. id
  local fields = redis.call('HMGET', key, 'node', 'user')
  if fields[2] then
    local set = base .. 'user:connections:' .. fields[2]
    redis.call('SREM', set, id)
    if redis.call('EXISTS', set) == 0 then redis.call('SREM', base .. 'users', fields[2]) end
  end
  if fields[1] then redis.call('SREM', base .. 'node:' .. fields[1] .. ':connections', id) end
  leave_all_groups(id)
  redis.call('DEL', key)
end

local function clean_node(node)
  local key = base .. 'node:' .. node .. ':connections'
  local ids = redis.call('SMEMBERS', key)
  for _, id in ipairs(ids) do remove_connection(id) end
  redis.call('DEL', key)
  redis.call('ZREM', base .. 'nodes', node)
  return #ids
end
`;

/** ARGV: base, node, connectionId, hasUser ('1'|'0'), userId, connectedAt, groups… */
const REGISTER = `
local node, id = ARGV[2], ARGV[3]
local key = base .. 'connection:' .. id
redis.call('HSET', key, 'node', node, 'connectedAt', ARGV[6])
if ARGV[4] == '1' then
  redis.call('HSET', key, 'user', ARGV[5])
  redis.call('SADD', base .. 'user:connections:' .. ARGV[5], id)
  redis.call('SADD', base .. 'users', ARGV[5])
end
redis.call('SADD', base .. 'node:' .. node .. ':connections', id)
for i = 7, #ARGV do join_group(id, ARGV[i]) end
return 1
`;

/** ARGV: base, connectionId */
const UNREGISTER = `
remove_connection(ARGV[2])
return 1
`;

/** ARGV: base, 'add'|'remove', connectionId, group. Returns 0 for an unknown connection. */
const MEMBERSHIP = `
local id, name = ARGV[3], ARGV[4]
if redis.call('EXISTS', base .. 'connection:' .. id) == 0 then return 0 end
if ARGV[2] == 'add' then join_group(id, name) else leave_group(id, name) end
return 1
`;

/** ARGV: base, node. Returns 1 if the node was still registered, 0 if it had been reaped or lost. */
const HEARTBEAT = `
local existed = redis.call('ZSCORE', base .. 'nodes', ARGV[2])
redis.call('ZADD', base .. 'nodes', now_ms(), ARGV[2])
if existed then return 1 end
return 0
`;

/** ARGV: base, timeoutMs. Removes every node silent for longer than the timeout; returns their ids. */
const REAP = `
local dead = redis.call('ZRANGEBYSCORE', base .. 'nodes', '-inf', now_ms() - tonumber(ARGV[2]))
for _, node in ipairs(dead) do clean_node(node) end
return dead
`;

/** ARGV: base, node */
const CLEAN_NODE = `
return clean_node(ARGV[2])
`;

/** ARGV: base. [nodes, connections, users, groups, groupMemberships] */
const STATS = `
local nodes = redis.call('ZRANGE', base .. 'nodes', 0, -1)
local connections = 0
for _, node in ipairs(nodes) do
  connections = connections + redis.call('SCARD', base .. 'node:' .. node .. ':connections')
end
return {
  #nodes, connections,
  redis.call('SCARD', base .. 'users'), redis.call('SCARD', base .. 'groups'),
  tonumber(redis.call('HGET', base .. 'stats', 'groupMemberships')) or 0
}
`;

export function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOSCRIPT');
}

/**
 * A script run by its SHA. Writes never fall back to sending the source on
 * NOSCRIPT: that second attempt would land after commands issued meanwhile and
 * could reorder a register after its unregister. Scripts are loaded on every
 * connect instead, and a failed write is repaired by the node's resync.
 */
export class LuaScript {
  readonly lua: string;
  private readonly sha: string;

  constructor(
    body: string,
    private readonly readOnly: boolean,
  ) {
    this.lua = PRELUDE + body;
    this.sha = createHash('sha1').update(this.lua).digest('hex');
  }

  async run(client: Redis, args: readonly (string | number)[]): Promise<unknown> {
    try {
      return await client.evalsha(this.sha, 0, ...args);
    } catch (error) {
      if (!this.readOnly || !isNoScript(error)) throw error;
      return client.eval(this.lua, 0, ...args);
    }
  }
}

export const scripts = {
  register: new LuaScript(REGISTER, false),
  unregister: new LuaScript(UNREGISTER, false),
  membership: new LuaScript(MEMBERSHIP, false),
  heartbeat: new LuaScript(HEARTBEAT, false),
  reap: new LuaScript(REAP, false),
  cleanNode: new LuaScript(CLEAN_NODE, false),
  stats: new LuaScript(STATS, true),
};

/** Issues SCRIPT LOAD for every script; commands sent after it on the same connection find them cached. */
export function loadScripts(client: Redis): Promise<unknown> {
  return Promise.all(Object.values(scripts).map((script) => client.script('LOAD', script.lua)));
}
