-- ARGV: writes_last_ms, window_ms, limit, cost, member. Books the earliest time the cost fits,
-- ahead if need be. Returns {booked (1, -1 when cost > limit), wait_ms, start (ms, Redis clock)}.
-- Bookings, writes done and writes in progress (as if ending now) all count: their sums say
-- whether it fits now; if not, the oldest entries are walked, bookings and writes done merged
-- by time (the writes in progress, at now, as one), until enough of them leave the window.
-- needs: rate_limit_open.lua
local limit = tonumber(ARGV[3])
local cost = tonumber(ARGV[4])
local member = ARGV[5]
if redis.call('ZSCORE', KEYS[2], member) or redis.call('ZSCORE', KEYS[3], member) then
  return done({1, 0, now})
end
local held = redis.call('ZSCORE', KEYS[1], member)
if held then
  return done({1, math.max(0, tonumber(held) - now), tonumber(held)})
end
if cost > limit then
  return done({-1, 0, now})
end
local used, at = sums[1] + sums[2] + sums[3], now
for _, i in ipairs({1, 3}) do
  local newest = redis.call('ZRANGE', KEYS[i], -1, -1, 'WITHSCORES')
  if newest[2] and tonumber(newest[2]) > at then at = tonumber(newest[2]) end
end
local PAGE = 64
local function oldest(i)
  return {key = KEYS[i], rank = 0, entries = {}, at = 1, ended = false}
end
local function head(log)
  if log.at > #log.entries then
    if log.ended then return nil end
    local flat = redis.call('ZRANGE', log.key, log.rank, log.rank + PAGE - 1, 'WITHSCORES')
    log.entries, log.at = {}, 1
    for j = 1, #flat, 2 do
      log.entries[#log.entries + 1] = {cost_of(flat[j]), tonumber(flat[j + 1])}
    end
    log.rank = log.rank + #log.entries
    log.ended = #log.entries < PAGE
    if #log.entries == 0 then return nil end
  end
  return log.entries[log.at]
end
local bookings, written = oldest(1), oldest(3)
local writing = sums[2] > 0 and {sums[2], now} or nil
while used + cost > limit do
  -- The oldest entry left: a booking (first on a tie), a write done, or the writes in progress.
  local a, b = head(bookings), head(written)
  local from = nil
  if a and (not b or a[2] <= b[2]) then from = bookings elseif b then from = written end
  local entry = from and from.entries[from.at]
  if writing and (not entry or writing[2] < entry[2]) then
    entry, writing, from = writing, nil, nil
  end
  if not entry then break end
  if from then from.at = from.at + 1 end
  used = used - entry[1]
  if entry[2] + window > at then at = entry[2] + window end
end
zadd(1, at, member)
redis.call('PEXPIRE', KEYS[1], at - now + window)
return done({1, at - now, at})
