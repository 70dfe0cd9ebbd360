// The Lua scripts of the audit stream and the usage counts (docs/observability.md): one round
// trip per event or per chunk of counts, under the namespace's hash tag like every other key.
import { LuaScript } from './scripts.js';

/**
 * KEYS: the organisation's audit stream. ARGV: cap (approximate), the event's time in ms, then the
 * event's field/value pairs. The entry's id follows the event's time where the stream allows
 * (ids only grow): `<at>-*`, or the last id's millisecond when the event is not newer.
 */
export const appendAuditScript = new LuaScript(`
local ms = tonumber(ARGV[2])
local last = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)
if #last > 0 then
  local lastMs = tonumber(string.match(last[1][1], '^(%d+)-'))
  if lastMs >= ms then ms = lastMs end
end
return redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], string.format('%d-*', ms), unpack(ARGV, 3))
`);

/**
 * KEYS: one usage hash per entry. ARGV: the time to live in seconds, then per entry its day,
 * accepted and refused. Counts are added (HINCRBY), so batches from many instances sum up.
 */
export const addUsageScript = new LuaScript(`
for i = 1, #KEYS do
  local base = 1 + (i - 1) * 3
  local day = ARGV[base + 1]
  local accepted = tonumber(ARGV[base + 2])
  local refused = tonumber(ARGV[base + 3])
  if accepted > 0 then redis.call('HINCRBY', KEYS[i], day .. ':a', accepted) end
  if refused > 0 then redis.call('HINCRBY', KEYS[i], day .. ':r', refused) end
  redis.call('EXPIRE', KEYS[i], ARGV[1])
end
return #KEYS
`);
