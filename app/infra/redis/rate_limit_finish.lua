-- ARGV: writes_last_ms, window_ms, member. The write has ended: from now on it counts as done
-- at this time, in every window that contains it.
-- needs: rate_limit_open.lua
if zrem(2, ARGV[3]) then
  zadd(3, now, ARGV[3])
  redis.call('PEXPIRE', KEYS[3], window)
end
return done(now)
