-- ARGV: writes_last_ms, window_ms, limit, cost, member. Starts a write now if its cost fits
-- with the writes done in the window ending now and those in progress; its booking is
-- replaced. A write already done (its worker died before telling) is not charged again.
-- Returns {1, start}, or {0, now} when it does not fit.
-- needs: rate_limit_open.lua
local limit = tonumber(ARGV[3])
local cost = tonumber(ARGV[4])
local member = ARGV[5]
redis.call('ZREM', KEYS[1], member)
if redis.call('ZSCORE', KEYS[3], member) then
  return {1, now}
end
redis.call('ZREM', KEYS[2], member)
local used = total(redis.call('ZRANGE', KEYS[3], 0, -1))
  + total(redis.call('ZRANGE', KEYS[2], 0, -1))
if used + cost > limit then
  return {0, now}
end
redis.call('ZADD', KEYS[2], now, member)
redis.call('PEXPIRE', KEYS[2], tonumber(ARGV[1]) + window)
return {1, now}
