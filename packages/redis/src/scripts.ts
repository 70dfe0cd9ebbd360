// The Lua scripts behind every multi-key operation: each runs atomically, so a record, its digest
// index and its listing entry are written, changed and removed together or not at all.
import { createHash } from 'node:crypto';
import type { RedisCommandClient } from './client.js';
import { LISTING_FIELD } from './record-codec.js';

/** A Lua script with its SHA-1, run by `EVALSHA` and loaded by `EVAL` when Redis lacks it. */
export class LuaScript {
  readonly source: string;
  readonly sha: string;

  constructor(source: string) {
    this.source = source;
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  /** Runs the script. On a Cluster, ioredis sends it to the node of `keys[0]`'s slot. */
  async run(
    client: RedisCommandClient,
    keys: readonly string[],
    args: readonly string[],
  ): Promise<unknown> {
    try {
      return await client.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (error) {
      // A restarted (or new) Redis has an empty script cache: EVAL loads the script again.
      if (!isNoScriptError(error)) throw error;
      return client.eval(this.source, keys.length, ...keys, ...args);
    }
  }
}

function isNoScriptError(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOSCRIPT');
}

/** Outcome codes of {@link insertScript}. */
export const INSERTED = 0;
export const ID_TAKEN = 1;
export const DIGEST_TAKEN = 2;

/**
 * KEYS: record, digest index, [organisation listing].
 * ARGV: id, listing entry, then the record's field/value pairs.
 */
export const insertScript = new LuaScript(`
if redis.call('EXISTS', KEYS[1]) == 1 then return ${ID_TAKEN} end
if redis.call('EXISTS', KEYS[2]) == 1 then return ${DIGEST_TAKEN} end
redis.call('HSET', KEYS[1], unpack(ARGV, 3))
redis.call('SET', KEYS[2], ARGV[1])
if #KEYS > 2 then redis.call('ZADD', KEYS[3], 0, ARGV[2]) end
return ${INSERTED}
`);

/**
 * KEYS: digest index. ARGV: record key base.
 * Returns the record's HGETALL pairs, empty when there is none: one round trip per lookup.
 */
export const findByHashScript = new LuaScript(`
local id = redis.call('GET', KEYS[1])
if not id then return {} end
return redis.call('HGETALL', ARGV[1] .. id)
`);

/**
 * KEYS: organisation listing. ARGV: record key base, upper bound ('+' or '(' .. entry), count,
 * where the id starts in an entry. Returns one HGETALL array per entry, newest first.
 */
export const listScript = new LuaScript(`
local entries = redis.call('ZREVRANGEBYLEX', KEYS[1], ARGV[2], '-', 'LIMIT', 0, ARGV[3])
local records = {}
for index, entry in ipairs(entries) do
  records[index] = redis.call('HGETALL', ARGV[1] .. string.sub(entry, tonumber(ARGV[4])))
end
return records
`);

/** Returned by {@link updateScript} when the new digest belongs to another record. */
export const UPDATE_DIGEST_TAKEN = 0;
/** Returned by {@link updateScript} when the record does not meet the update's condition. */
export const UPDATE_CONDITION_FAILED = 1;

/**
 * KEYS: record, [new digest index]. ARGV: digest key base, channel, id, new digest (read only
 * with the second key), number of condition fields, number of set arguments, the fields that
 * must be absent (null) for the write to happen, the field/value pairs to set, the fields to
 * remove. Returns nil (no record), {@link UPDATE_DIGEST_TAKEN}, {@link UPDATE_CONDITION_FAILED},
 * or the new HGETALL pairs. Publishes `{id, hash}` with the digest from before the change.
 */
export const updateScript = new LuaScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
local conditionCount = tonumber(ARGV[5])
local setCount = tonumber(ARGV[6])
for index = 7, 6 + conditionCount do
  if redis.call('HEXISTS', KEYS[1], ARGV[index]) == 1 then return ${UPDATE_CONDITION_FAILED} end
end
local previous = redis.call('HGET', KEYS[1], 'hash')
if #KEYS > 1 and ARGV[4] ~= previous then
  if redis.call('EXISTS', KEYS[2]) == 1 then return ${UPDATE_DIGEST_TAKEN} end
  redis.call('DEL', ARGV[1] .. previous)
  redis.call('SET', KEYS[2], ARGV[3])
end
local firstSet = 7 + conditionCount
if setCount > 0 then redis.call('HSET', KEYS[1], unpack(ARGV, firstSet, firstSet + setCount - 1)) end
if #ARGV >= firstSet + setCount then redis.call('HDEL', KEYS[1], unpack(ARGV, firstSet + setCount)) end
redis.call('PUBLISH', ARGV[2], cjson.encode({id = ARGV[3], hash = previous}))
return redis.call('HGETALL', KEYS[1])
`);

/**
 * KEYS: record. ARGV: digest key base, organisation listing base, channel, id.
 * Removes the record, its digest index and its listing entry; returns 1, or 0 when there was none.
 */
export const deleteScript = new LuaScript(`
local fields = redis.call('HMGET', KEYS[1], 'hash', 'organisationId', '${LISTING_FIELD}')
local hash = fields[1]
if not hash then return 0 end
redis.call('DEL', KEYS[1])
if redis.call('GET', ARGV[1] .. hash) == ARGV[4] then redis.call('DEL', ARGV[1] .. hash) end
if fields[2] and fields[3] then redis.call('ZREM', ARGV[2] .. fields[2], fields[3]) end
redis.call('PUBLISH', ARGV[3], cjson.encode({id = ARGV[4], hash = hash}))
return 1
`);

/**
 * KEYS: records. ARGV: one time (ms) per key. Sets `lastUsedAt` where the record exists and the
 * time is later than the stored one: never backwards, never re-creating a deleted record.
 */
export const recordLastUsedScript = new LuaScript(`
for index, key in ipairs(KEYS) do
  if redis.call('EXISTS', key) == 1 then
    local time = tonumber(ARGV[index])
    local current = tonumber(redis.call('HGET', key, 'lastUsedAt'))
    if current == nil or current < time then redis.call('HSET', key, 'lastUsedAt', ARGV[index]) end
  end
end
return 0
`);

/**
 * KEYS: record. ARGV: cost, now (ms). Takes credits as `takeCredits` in @keygate/core does:
 * refills due at `now` first, then `cost` only if that many are left, written before it answers.
 * Returns nil (no record, or no credits) or {1|0, remaining, next refill time or -1}.
 */
export const consumeCreditsScript = new LuaScript(`
local fields = redis.call('HMGET', KEYS[1], 'creditsRemaining', 'creditsRefillAmount',
  'creditsRefillIntervalMs', 'creditsRefilledAt')
if not fields[1] then return false end
local remaining = tonumber(fields[1])
local amount = tonumber(fields[2])
local interval = tonumber(fields[3])
local refilledAt = tonumber(fields[4])
local cost = tonumber(ARGV[1])
local now = tonumber(ARGV[2])
local changed = false
if amount and interval and now >= refilledAt + interval then
  refilledAt = refilledAt + math.floor((now - refilledAt) / interval) * interval
  if remaining < amount then remaining = amount end
  changed = true
end
local ok = 0
if remaining >= cost then
  ok = 1
  if cost > 0 then
    remaining = remaining - cost
    changed = true
  end
end
if changed then
  redis.call('HSET', KEYS[1], 'creditsRemaining', string.format('%d', remaining),
    'creditsRefilledAt', string.format('%d', refilledAt))
end
local nextRefill = -1
if amount and interval then nextRefill = refilledAt + interval end
return {ok, string.format('%d', remaining), string.format('%d', nextRefill)}
`);
