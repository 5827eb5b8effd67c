-- KEYS[1]: the log. ARGV: token prefix. Drops bookings not started yet whose token starts so.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ahead = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. now, '+inf')
local prefix = ARGV[1]
local dropped = 0
for _, member in ipairs(ahead) do
  local token = string.match(member, '^%d+:(.*)$')
  if token and string.sub(token, 1, #prefix) == prefix then
    redis.call('ZREM', KEYS[1], member)
    dropped = dropped + 1
  end
end
return dropped
