-- KEYS[i]: the bucket of the i-th key; ARGV[2i-1], ARGV[2i]: its field and row; the last
-- ARGV: the buckets' time to live (s). Returns the positions (1-based) of the keys that are
-- first here: new, or set before by the same row.
local firsts = {}
local touched = {}
for i = 1, #KEYS do
  local field, row = ARGV[2 * i - 1], ARGV[2 * i]
  if redis.call('HSETNX', KEYS[i], field, row) == 1
      or redis.call('HGET', KEYS[i], field) == row then
    firsts[#firsts + 1] = i
  end
  if not touched[KEYS[i]] then
    touched[KEYS[i]] = true
    redis.call('EXPIRE', KEYS[i], ARGV[#ARGV])
  end
end
return firsts
