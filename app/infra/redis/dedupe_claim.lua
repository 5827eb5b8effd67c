-- KEYS[1]: the action's set of the buckets it made (its name also gives the slot all its
-- buckets share); ARGV[1]: the prefix of the buckets' names; ARGV[2]: the keys' digests,
-- DIGEST_BYTES each, end to end; ARGV[3]: each key's row, a 4-byte little-endian unsigned
-- integer; ARGV[4]: DIGEST_BYTES; ARGV[5]: what the digest's first two bytes, as a
-- big-endian number, are divided by to give the bucket; ARGV[6]: the buckets' time to live
-- (s). A digest names its bucket and, after its first two bytes, its field there
-- (app.infra.redis.dedupe). Each key goes to its row unless a row holds it already; returns,
-- flat, the position (1-based) and the holding row of each key another row holds (a key its
-- own row holds, set by an earlier run, is not returned). Two blobs instead of three
-- arguments a key: packing them was most of a chunk's claim. A bucket given a key is noted in
-- KEYS[1] (and given its time to live the first time), so forgetting the action unlinks the
-- buckets it made, not all 16,384 names.
local prefix, digests, rows = ARGV[1], ARGV[2], ARGV[3]
local size, divisor, ttl = tonumber(ARGV[4]), tonumber(ARGV[5]), ARGV[6]
local held = {}
local made = false
for i = 1, #rows / 4 do
  local at = (i - 1) * size + 1
  local high, low = string.byte(digests, at, at + 1)
  local number = string.format('%x', math.floor((high * 256 + low) / divisor))
  local bucket = prefix .. number
  local field = string.sub(digests, at + 2, at + size - 1)
  local row = tostring(struct.unpack('<I4', rows, (i - 1) * 4 + 1))
  if redis.call('HSETNX', bucket, field, row) == 0 then
    local holder = redis.call('HGET', bucket, field)
    if holder ~= row then
      held[#held + 1] = i
      held[#held + 1] = holder
    end
  elseif redis.call('SADD', KEYS[1], number) == 1 then
    redis.call('EXPIRE', bucket, ttl)
    made = true
  end
end
if made then
  redis.call('EXPIRE', KEYS[1], ttl)
end
return held
