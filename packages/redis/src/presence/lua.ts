import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * Lua keeps each presence change atomic: a connection, its user entry, its
 * groups, jobs and the counters move together, and reaping a dead node is one
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

local function add_member(kind, id, name)
  if redis.call('SADD', base .. 'connection:' .. kind .. 's:' .. id, name) == 1 then
    redis.call('SADD', base .. kind .. ':connections:' .. name, id)
    redis.call('SADD', base .. kind .. 's', name)
    redis.call('HINCRBY', base .. 'stats', kind .. 'Memberships', 1)
  end
end

local function forget_member(kind, id, name)
  local set = base .. kind .. ':connections:' .. name
  redis.call('SREM', set, id)
  if redis.call('EXISTS', set) == 0 then redis.call('SREM', base .. kind .. 's', name) end
end

local function remove_member(kind, id, name)
  if redis.call('SREM', base .. 'connection:' .. kind .. 's:' .. id, name) == 1 then
    forget_member(kind, id, name)
    redis.call('HINCRBY', base .. 'stats', kind .. 'Memberships', -1)
  end
end

local function remove_all_members(kind, id)
  local own = base .. 'connection:' .. kind .. 's:' .. id
  local names = redis.call('SMEMBERS', own)
  for _, name in ipairs(names) do forget_member(kind, id, name) end
  if #names > 0 then redis.call('HINCRBY', base .. 'stats', kind .. 'Memberships', -#names) end
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
  remove_all_members('group', id)
  remove_all_members('job', id)
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

/** ARGV: base, node, connectionId, hasUser ('1'|'0'), userId, connectedAt, groupCount, groups…, jobs… */
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
local groups = tonumber(ARGV[7])
for i = 8, 7 + groups do add_member('group', id, ARGV[i]) end
for i = 8 + groups, #ARGV do add_member('job', id, ARGV[i]) end
return 1
`;

/** ARGV: base, connectionId */
const UNREGISTER = `
remove_connection(ARGV[2])
return 1
`;

/** ARGV: base, kind ('group'|'job'), 'add'|'remove', connectionId, name. Returns 0 for an unknown connection. */
const MEMBERSHIP = `
local kind, id, name = ARGV[2], ARGV[4], ARGV[5]
if redis.call('EXISTS', base .. 'connection:' .. id) == 0 then return 0 end
if ARGV[3] == 'add' then add_member(kind, id, name) else remove_member(kind, id, name) end
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

/** ARGV: base, userId. The jobs subscribed by any connection of the user. */
const USER_SUBSCRIPTIONS = `
local ids = redis.call('SMEMBERS', base .. 'user:connections:' .. ARGV[2])
if #ids == 0 then return {} end
local keys = {}
for i, id in ipairs(ids) do keys[i] = base .. 'connection:jobs:' .. id end
return redis.call('SUNION', unpack(keys))
`;

/** ARGV: base. [nodes, connections, users, groups, jobs, groupMemberships, jobMemberships] */
const STATS = `
local nodes = redis.call('ZRANGE', base .. 'nodes', 0, -1)
local connections = 0
for _, node in ipairs(nodes) do
  connections = connections + redis.call('SCARD', base .. 'node:' .. node .. ':connections')
end
local counters = redis.call('HMGET', base .. 'stats', 'groupMemberships', 'jobMemberships')
return {
  #nodes, connections,
  redis.call('SCARD', base .. 'users'), redis.call('SCARD', base .. 'groups'), redis.call('SCARD', base .. 'jobs'),
  tonumber(counters[1]) or 0, tonumber(counters[2]) or 0
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
  userSubscriptions: new LuaScript(USER_SUBSCRIPTIONS, true),
  stats: new LuaScript(STATS, true),
};

/** Issues SCRIPT LOAD for every script; commands sent after it on the same connection find them cached. */
export function loadScripts(client: Redis): Promise<unknown> {
  return Promise.all(Object.values(scripts).map((script) => client.script('LOAD', script.lua)));
}
