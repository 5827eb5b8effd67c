-- Shared opening of the scripts over a subject's bookings (KEYS[1]), writes in progress
-- (KEYS[2], scored by start) and writes done (KEYS[3], scored by end): the time, charges no
-- window counts any more dropped, and writes older than ARGV[1] ms (their worker died) taken
-- as done now.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[2])
local function cost_of(member) return tonumber(string.match(member, '^(%d+):')) end
local function total(members)
  local sum = 0
  for _, m in ipairs(members) do sum = sum + cost_of(m) end
  return sum
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now - window)
for _, m in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now - tonumber(ARGV[1]))) do
  redis.call('ZREM', KEYS[2], m)
  redis.call('ZADD', KEYS[3], now, m)
end
