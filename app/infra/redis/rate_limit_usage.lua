-- ARGV: writes_last_ms, window_ms. Returns {cost written or being written in the window
-- ending now, cost booked and not written yet}.
-- needs: rate_limit_open.lua
return done({sums[3] + sums[2], sums[1]})
