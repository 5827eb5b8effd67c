-- KEYS[1]: a subject's calls, a sorted set of one member a call scored by its time (Redis's
-- clock, ms). ARGV: window_ms, limit, member. Takes a call now if fewer than `limit` calls
-- lie in the window ending now, else says when one would fit: when the oldest call that
-- must leave the window leaves it. Every call costs one and none is booked ahead, so the
-- window's use is its count and the leaving call is found by rank: no walk of the log.
-- Returns {1, 0, now} or {0, wait_ms, that time}.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window, limit = tonumber(ARGV[1]), tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local count = redis.call('ZCARD', KEYS[1])
if count < limit then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], window)
  return {1, 0, now}
end
local leaving = redis.call('ZRANGE', KEYS[1], count - limit, count - limit, 'WITHSCORES')
local at = tonumber(leaving[2]) + window
return {0, at - now, at}
