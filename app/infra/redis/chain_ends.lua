-- Chunk ARGV[1] of an action found its chain ended: noted in the set KEYS[1], kept ARGV[3]
-- seconds. Returns {the action's chunk count (KEYS[2]; -1 while planning has not set it),
-- 1 when the last chunk of each of its ARGV[2] chains is noted, else 0}.
redis.call('SADD', KEYS[1], ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[3])
local total = tonumber(redis.call('GET', KEYS[2]))
if not total then
  return {-1, 0}
end
for seq = math.max(0, total - tonumber(ARGV[2])), total - 1 do
  if redis.call('SISMEMBER', KEYS[1], seq) == 0 then
    return {total, 0}
  end
end
return {total, 1}
