-- ARGV: writes_last_ms, window_ms, limit, cost, member. Books the earliest time the cost fits,
-- ahead if need be. Returns {booked (1, -1 when cost > limit), wait_ms, start (ms, Redis clock)}.
-- Bookings, writes done and writes in progress (as if ending now) all count.
-- needs: rate_limit_open.lua
local limit = tonumber(ARGV[3])
local cost = tonumber(ARGV[4])
local member = ARGV[5]
if redis.call('ZSCORE', KEYS[2], member) or redis.call('ZSCORE', KEYS[3], member) then
  return {1, 0, now}
end
local held = redis.call('ZSCORE', KEYS[1], member)
if held then
  return {1, math.max(0, tonumber(held) - now), tonumber(held)}
end
if cost > limit then
  return {-1, 0, now}
end
local entries = {}
for _, key in ipairs({KEYS[1], KEYS[3]}) do
  local flat = redis.call('ZRANGE', key, 0, -1, 'WITHSCORES')
  for i = 1, #flat, 2 do
    entries[#entries + 1] = {cost_of(flat[i]), tonumber(flat[i + 1])}
  end
end
for _, m in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do
  entries[#entries + 1] = {cost_of(m), now}
end
table.sort(entries, function(a, b) return a[2] < b[2] end)
local used, last = 0, now
for _, entry in ipairs(entries) do
  used = used + entry[1]
  if entry[2] > last then last = entry[2] end
end
local at = last
local i = 1
while used + cost > limit do
  used = used - entries[i][1]
  local frees = entries[i][2] + window
  if frees > at then at = frees end
  i = i + 1
end
redis.call('ZADD', KEYS[1], at, member)
redis.call('PEXPIRE', KEYS[1], at - now + window)
return {1, at - now, at}
