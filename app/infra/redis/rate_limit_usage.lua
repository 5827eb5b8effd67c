-- ARGV: writes_last_ms, window_ms. Returns {cost written or being written in the window
-- ending now, cost booked and not written yet}.
-- needs: rate_limit_open.lua
local written = total(redis.call('ZRANGE', KEYS[3], 0, -1))
  + total(redis.call('ZRANGE', KEYS[2], 0, -1))
return {written, total(redis.call('ZRANGE', KEYS[1], 0, -1))}
