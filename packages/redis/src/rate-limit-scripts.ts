// The Lua behind RedisRateLimiter: each runs atomically on the node of the namespace's hash tag,
// so every count of one request (key, organisation, default) changes together or not at all.
// The sliding-window estimate is computed exactly as @keygate/core's `slidingEstimate` does.
import { LuaScript } from './scripts.js';

/**
 * Strict mode. KEYS: per limit, its current then its previous window's counter. ARGV: now (ms),
 * cost, then per limit: limit, window (ms). Counts `cost` against every limit only when all of
 * them allow it. Returns {1|0, current₁, previous₁, current₂, …} with the counts after the call.
 */
export const consumeScript = new LuaScript(`
local now = tonumber(ARGV[1])
local cost = tonumber(ARGV[2])
local count = #KEYS / 2
local counts = {}
local allowed = 1
for i = 1, count do
  local limit = tonumber(ARGV[1 + 2 * i])
  local window = tonumber(ARGV[2 + 2 * i])
  local current = tonumber(redis.call('GET', KEYS[2 * i - 1]) or '0')
  local previous = tonumber(redis.call('GET', KEYS[2 * i]) or '0')
  local elapsed = now - math.floor(now / window) * window
  if previous * (window - elapsed) / window + current + cost > limit then allowed = 0 end
  counts[2 * i - 1] = current
  counts[2 * i] = previous
end
if allowed == 1 and cost > 0 then
  for i = 1, count do
    counts[2 * i - 1] = redis.call('INCRBY', KEYS[2 * i - 1], cost)
    redis.call('PEXPIRE', KEYS[2 * i - 1], 2 * tonumber(ARGV[2 + 2 * i]) + 1000)
  end
end
local reply = {allowed}
for i = 1, #counts do reply[i + 1] = counts[i] end
return reply
`);

/**
 * Approximate mode's batch. KEYS: per subject, its current then its previous window's counter.
 * ARGV: per subject: requests counted locally in the current window, in the previous one, and
 * the window (ms). Adds them and returns {current₁, previous₁, current₂, …}: one call for every
 * subject an instance has touched since its last sync.
 */
export const syncScript = new LuaScript(`
local reply = {}
for i = 1, #KEYS / 2 do
  local window = tonumber(ARGV[3 * i])
  local current = tonumber(ARGV[3 * i - 2])
  local previous = tonumber(ARGV[3 * i - 1])
  if current > 0 then
    reply[2 * i - 1] = redis.call('INCRBY', KEYS[2 * i - 1], current)
    redis.call('PEXPIRE', KEYS[2 * i - 1], 2 * window + 1000)
  else
    reply[2 * i - 1] = tonumber(redis.call('GET', KEYS[2 * i - 1]) or '0')
  end
  if previous > 0 then
    reply[2 * i] = redis.call('INCRBY', KEYS[2 * i], previous)
    redis.call('PEXPIRE', KEYS[2 * i], window + 1000)
  else
    reply[2 * i] = tonumber(redis.call('GET', KEYS[2 * i]) or '0')
  end
end
return reply
`);
