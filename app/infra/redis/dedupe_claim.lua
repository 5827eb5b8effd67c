-- KEYS[i]: the bucket of the i-th key; ARGV[2i-1], ARGV[2i]: its field and row; the last
-- ARGV: the buckets' time to live (s). Each key goes to its row unless a row holds it
-- already; returns, flat, the position (1-based) and the holding row of each key another
-- row holds (a key its own row holds, set by an earlier run, is not returned).
local held = {}
local touched = {}
for i = 1, #KEYS do
  local field, row = ARGV[2 * i - 1], ARGV[2 * i]
  if redis.call('HSETNX', KEYS[i], field, row) == 0 then
    local holder = redis.call('HGET', KEYS[i], field)
    if holder ~= row then
      held[#held + 1] = i
      held[#held + 1] = holder
    end
  end
  if not touched[KEYS[i]] then
    touched[KEYS[i]] = true
    redis.call('EXPIRE', KEYS[i], ARGV[#ARGV])
  end
end
return held
