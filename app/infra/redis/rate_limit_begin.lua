-- ARGV: writes_last_ms, window_ms, limit, cost, member. Starts a write now if its cost fits
-- with the writes done in the window ending now and those in progress; its booking is
-- replaced. A write already done (its worker died before telling) is not charged again.
-- Returns {1, start}, or {0, now} when it does not fit.
-- needs: rate_limit_open.lua
local limit = tonumber(ARGV[3])
local cost = tonumber(ARGV[4])
local member = ARGV[5]
zrem(1, member)
if redis.call('ZSCORE', KEYS[3], member) then
  return done({1, now})
end
zrem(2, member)
if sums[3] + sums[2] + cost > limit then
  return done({0, now})
end
zadd(2, now, member)
redis.call('PEXPIRE', KEYS[2], tonumber(ARGV[1]) + window)
return done({1, now})
