-- Shared opening of the scripts over a subject's bookings (KEYS[1]), writes in progress
-- (KEYS[2], scored by start), writes done (KEYS[3], scored by end) and the cost each holds
-- (KEYS[4], a hash: fields 1, 2 and 3), kept with every change so that no script walks a
-- whole log: a booking is a sum, and its wait a walk of the oldest entries only. A log that
-- is empty (expired) holds 0; a sum not kept yet (a log written before the sums were) is
-- counted once. Then: the time, charges no window counts any more dropped, and writes older
-- than ARGV[1] ms (their worker died) taken as done now. Every script returns through
-- `done`, which keeps the sums.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[2])
local function cost_of(member) return tonumber(string.match(member, '^(%d+):')) end
local function total(members)
  local sum = 0
  for _, m in ipairs(members) do sum = sum + cost_of(m) end
  return sum
end
local sums = {}
for i = 1, 3 do
  local kept = redis.call('HGET', KEYS[4], i)
  if redis.call('ZCARD', KEYS[i]) == 0 then
    sums[i] = 0
  elseif kept then
    sums[i] = tonumber(kept)
  else
    sums[i] = total(redis.call('ZRANGE', KEYS[i], 0, -1))
  end
end
local function zadd(i, score, member)
  if redis.call('ZADD', KEYS[i], score, member) == 1 then sums[i] = sums[i] + cost_of(member) end
end
local function zrem(i, member)
  local removed = redis.call('ZREM', KEYS[i], member) == 1
  if removed then sums[i] = sums[i] - cost_of(member) end
  return removed
end
local function done(result)
  redis.call('HSET', KEYS[4], 1, sums[1], 2, sums[2], 3, sums[3])
  local ttl = -2
  for i = 1, 3 do ttl = math.max(ttl, redis.call('PTTL', KEYS[i])) end
  if ttl > 0 then
    redis.call('PEXPIRE', KEYS[4], ttl)
  elseif ttl == -2 then
    redis.call('DEL', KEYS[4])
  end
  return result
end
for _, i in ipairs({1, 3}) do
  local expired = redis.call('ZRANGEBYSCORE', KEYS[i], '-inf', now - window)
  if #expired > 0 then
    redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now - window)
    sums[i] = sums[i] - total(expired)
  end
end
local stale = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now - tonumber(ARGV[1]))
for _, m in ipairs(stale) do
  zrem(2, m)
  zadd(3, now, m)
end
if #stale > 0 then
  redis.call('PEXPIRE', KEYS[3], window)
end
