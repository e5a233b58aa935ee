/**
 * The job store's Lua scripts. Each runs atomically, so a job's state, its
 * indexes, its history and the cluster feed never disagree, and the sequence
 * is assigned in the same step that stores the event.
 *
 * Indexed values arrive encoded: '' for null, '=' followed by the value
 * otherwise (so an empty string stays distinct from null). Keys follow
 * JobKeys: `{base}job:{id}`, `{base}{field}:{value}`, `{base}top`, `{base}all`.
 *
 * Fencing (what makes several writer processes safe): a write carrying an
 * older (retryCount, attempt) than the stored one comes from an attempt that
 * has been superseded (taken over, retried) and is refused with 'stale'; once
 * a job is Completed, Failed or Cancelled only a 'retried' event may change it,
 * anything else is refused with 'settled'.
 */

const PRELUDE = `
local FIELDS = {'status', 'owner', 'subject', 'type', 'parent'}
local TERMINAL = {Completed = true, Failed = true, Cancelled = true}

local function indexKey(base, field, encoded)
  if not encoded then return nil end
  if encoded == '' then
    if field == 'parent' then return base .. 'top' end
    return nil
  end
  return base .. field .. ':' .. string.sub(encoded, 2)
end

-- Moves the job between index sets for every indexed field whose value changed.
local function reindex(base, id, order, old, new)
  for i, field in ipairs(FIELDS) do
    if old[i] ~= new[i] then
      local before = indexKey(base, field, old[i])
      if before then redis.call('ZREM', before, id) end
      local after = indexKey(base, field, new[i])
      if after then redis.call('ZADD', after, order, id) end
    end
  end
end

-- The fence: nil when the write may proceed, else the reason it may not.
local function refusal(stored, retry, attempt, kind)
  local r, a = tonumber(stored.retry), tonumber(stored.attempt)
  if retry < r or (retry == r and attempt < a) then return 'stale' end
  if TERMINAL[stored.status] and kind ~= 'retried' then return 'settled' end
  return nil
end

local function readStored(key)
  local v = redis.call('HMGET', key, 'seq', 'order', 'retry', 'attempt', 'status', 'owner', 'subject', 'type', 'parent', 'wseq')
  if not v[1] then return nil end
  return { seq = tonumber(v[1]), order = v[2], retry = v[3], attempt = v[4], status = string.sub(v[5], 2), indexed = { v[5], v[6], v[7], v[8], v[9] },
    wseq = v[10] or '0' }
end
`;

/**
 * ARGV: base, count, then per job: id, data, status, owner, subject, type,
 * parent, retryCount, attempt, idempotency scope ('' for none), tags (a JSON
 * array). Fails with EXISTS if any job is already there. Returns count, or
 * {'existing', id} when a job's idempotency scope was used before: then
 * nothing is inserted.
 */
export const INSERT_JOBS = `${PRELUDE}
local base, count = ARGV[1], tonumber(ARGV[2])
local STRIDE = 11
for i = 0, count - 1 do
  local o = 3 + i * STRIDE
  local id, scope = ARGV[o], ARGV[o + 9]
  if scope ~= '' then
    local earlier = redis.call('HGET', base .. 'idempotency', scope)
    if earlier and redis.call('EXISTS', base .. 'job:' .. earlier) == 1 then return {'existing', earlier} end
  end
  if redis.call('EXISTS', base .. 'job:' .. id) == 1 then return redis.error_reply('EXISTS ' .. id) end
end
for i = 0, count - 1 do
  local o = 3 + i * STRIDE
  local id = ARGV[o]
  local order = redis.call('INCR', base .. 'order')
  local new = { ARGV[o + 2], ARGV[o + 3], ARGV[o + 4], ARGV[o + 5], ARGV[o + 6] }
  redis.call('HSET', base .. 'job:' .. id, 'data', ARGV[o + 1], 'seq', 0, 'order', order, 'retry', ARGV[o + 7], 'attempt', ARGV[o + 8],
    'status', new[1], 'owner', new[2], 'subject', new[3], 'type', new[4], 'parent', new[5])
  redis.call('ZADD', base .. 'all', order, id)
  reindex(base, id, order, {false, false, false, false, false}, new)
  if ARGV[o + 9] ~= '' then redis.call('HSET', base .. 'idempotency', ARGV[o + 9], id) end
  -- Tags never change after creation: indexed once, here.
  for _, tag in ipairs(cjson.decode(ARGV[o + 10])) do redis.call('ZADD', base .. 'tag:' .. tag, order, id) end
end
return count
`;

/**
 * A turn's events, in order, in one script run (one call instead of one per
 * event; each event is still checked and written on its own). ARGV: base,
 * historyLength, feedLength, count, then per event: id, kind, at, data,
 * retryCount, attempt, output (JSON; '' for none), form — 'w' followed by
 * status, owner, subject, type, parent for a whole event (data is the job),
 * or 'd' for a delta event (data is a JobDelta; the kind changes none of the
 * indexed fields). Returns one reply per event: {sequence, feedEntryId},
 * {0, reason, storedStatus} when fenced, or {-1} when the job is not there.
 *
 * A whole event rewrites the job's hash (data, indexes) and becomes the base
 * (`wseq`) of the deltas after it; a delta event's entries carry that base
 * (`b`) and the hash keeps only the latest delta beside data, so a progress
 * tick writes the delta twice and a few hash fields, not the job thrice.
 */
export const APPEND_EVENTS = `${PRELUDE}
local base, historyLength, feedLength, count = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4])
local feed = base .. 'feed'
local replies = {}
local o = 5
for i = 1, count do
  local id, kind, at, data = ARGV[o], ARGV[o + 1], ARGV[o + 2], ARGV[o + 3]
  local retry, attempt, output = tonumber(ARGV[o + 4]), tonumber(ARGV[o + 5]), ARGV[o + 6]
  local key, history = base .. 'job:' .. id, base .. 'events:' .. id
  if ARGV[o + 7] == 'w' then
    local new = { ARGV[o + 8], ARGV[o + 9], ARGV[o + 10], ARGV[o + 11], ARGV[o + 12] }
    o = o + 13
    local stored = readStored(key)
    if not stored then
      replies[i] = {-1}
    else
      local refused = refusal(stored, retry, attempt, kind)
      if refused then
        replies[i] = {0, refused, stored.status}
      else
        local seq = stored.seq + 1
        local feedId
        if output == '' then
          redis.call('XADD', history, 'MAXLEN', '~', historyLength, seq .. '-0', 'k', kind, 'at', at, 'd', data)
          feedId = redis.call('XADD', feed, 'MAXLEN', '~', feedLength, '*', 'j', id, 's', seq, 'k', kind, 'at', at, 'd', data)
        else
          redis.call('XADD', history, 'MAXLEN', '~', historyLength, seq .. '-0', 'k', kind, 'at', at, 'd', data, 'o', output)
          feedId = redis.call('XADD', feed, 'MAXLEN', '~', feedLength, '*', 'j', id, 's', seq, 'k', kind, 'at', at, 'd', data, 'o', output)
        end
        reindex(base, id, stored.order, stored.indexed, new)
        redis.call('HSET', key, 'data', data, 'seq', seq, 'wseq', seq, 'feed', feedId, 'retry', retry, 'attempt', attempt,
          'status', new[1], 'owner', new[2], 'subject', new[3], 'type', new[4], 'parent', new[5])
        -- A delta is kept only after the base it applies to.
        if stored.seq ~= tonumber(stored.wseq) then redis.call('HDEL', key, 'delta') end
        replies[i] = {seq, feedId}
      end
    end
  else
    o = o + 8
    -- A delta changes no indexed field: only the fence and the base are read.
    local v = redis.call('HMGET', key, 'seq', 'retry', 'attempt', 'status', 'wseq')
    if not v[1] then
      replies[i] = {-1}
    else
      local r, a, status = tonumber(v[2]), tonumber(v[3]), string.sub(v[4], 2)
      if retry < r or (retry == r and attempt < a) then
        replies[i] = {0, 'stale', status}
      elseif TERMINAL[status] then
        replies[i] = {0, 'settled', status}
      else
        local seq, wseq = tonumber(v[1]) + 1, v[5] or '0'
        local feedId
        if output == '' then
          redis.call('XADD', history, 'MAXLEN', '~', historyLength, seq .. '-0', 'k', kind, 'at', at, 'd', data, 'b', wseq)
          feedId = redis.call('XADD', feed, 'MAXLEN', '~', feedLength, '*', 'j', id, 's', seq, 'k', kind, 'at', at, 'd', data, 'b', wseq)
        else
          redis.call('XADD', history, 'MAXLEN', '~', historyLength, seq .. '-0', 'k', kind, 'at', at, 'd', data, 'b', wseq, 'o', output)
          feedId = redis.call('XADD', feed, 'MAXLEN', '~', feedLength, '*', 'j', id, 's', seq, 'k', kind, 'at', at, 'd', data, 'b', wseq, 'o', output)
        end
        if retry == r and attempt == a then
          redis.call('HSET', key, 'delta', data, 'seq', seq, 'feed', feedId)
        else
          redis.call('HSET', key, 'delta', data, 'seq', seq, 'feed', feedId, 'retry', retry, 'attempt', attempt)
        end
        replies[i] = {seq, feedId}
      end
    end
  end
end
return replies
`;

/**
 * ARGV: base, id, data, status, owner, subject, type, parent, retryCount,
 * attempt. Returns 1, or {0, reason, storedStatus} when fenced. The saved
 * job replaces the latest delta too (it is at least as new).
 */
export const SAVE_JOB = `${PRELUDE}
local base, id = ARGV[1], ARGV[2]
local key = base .. 'job:' .. id
local stored = readStored(key)
if not stored then return redis.error_reply('NOTFOUND ' .. id) end
local retry, attempt = tonumber(ARGV[9]), tonumber(ARGV[10])
local refused = refusal(stored, retry, attempt, '')
if refused then return {0, refused, stored.status} end
local new = { ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8] }
reindex(base, id, stored.order, stored.indexed, new)
redis.call('HSET', key, 'data', ARGV[3], 'retry', retry, 'attempt', attempt,
  'status', new[1], 'owner', new[2], 'subject', new[3], 'type', new[4], 'parent', new[5])
redis.call('HDEL', key, 'delta')
return 1
`;

/**
 * KEYS: a scratch key, the status index keys (any of them), then the other
 * index keys (all of them). ARGV: base, status key count, other key count,
 * start, stop (ZREVRANGE bounds). Returns data, sequence, latest delta ('' for
 * none) of each job, newest first.
 */
export const LIST_JOBS = `
local base, statuses, others = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
-- Every index holds a job with the same score (its insertion order), so MAX keeps it.
local function combine(command, keys)
  local args = {command, KEYS[1], #keys}
  for _, k in ipairs(keys) do args[#args + 1] = k end
  args[#args + 1] = 'AGGREGATE'
  args[#args + 1] = 'MAX'
  redis.call(unpack(args))
end
local statusKeys, otherKeys = {}, {}
for i = 1, statuses do statusKeys[i] = KEYS[1 + i] end
for i = 1, others do otherKeys[i] = KEYS[1 + statuses + i] end
local source = KEYS[1]
if statuses == 0 and others == 1 then
  source = otherKeys[1]
elseif statuses > 0 then
  combine('ZUNIONSTORE', statusKeys)
  if others > 0 then
    table.insert(otherKeys, 1, KEYS[1])
    combine('ZINTERSTORE', otherKeys)
  end
else
  combine('ZINTERSTORE', otherKeys)
end
local ids = redis.call('ZREVRANGE', source, tonumber(ARGV[4]), tonumber(ARGV[5]))
if source == KEYS[1] then redis.call('DEL', KEYS[1]) end
local out = {}
for _, id in ipairs(ids) do
  local v = redis.call('HMGET', base .. 'job:' .. id, 'data', 'seq', 'delta')
  if v[1] then
    out[#out + 1] = v[1]
    out[#out + 1] = v[2]
    out[#out + 1] = v[3] or ''
  end
end
return out
`;
