-- ARGV: writes_last_ms, window_ms, token prefix. Drops bookings not started yet whose token
-- starts so; returns how many.
-- needs: rate_limit_open.lua
local ahead = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. now, '+inf')
local prefix = ARGV[3]
local dropped = 0
for _, member in ipairs(ahead) do
  local token = string.match(member, '^%d+:(.*)$')
  if token and string.sub(token, 1, #prefix) == prefix then
    zrem(1, member)
    dropped = dropped + 1
  end
end
return done(dropped)
