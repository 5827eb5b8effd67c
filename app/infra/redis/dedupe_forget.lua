-- KEYS[1]: the action's first bucket (it names the slot all its buckets share); ARGV[1]: the
-- prefix of the buckets' names; ARGV[2], ARGV[3]: the first and last bucket to unlink.
-- Unlinks them, named as dedupe_claim.lua names them (the prefix, then the bucket's number
-- in lowercase hex): the worker sent all 16,384 names, which cost it about 1 µs of CPU per
-- row of a 20,000-row action. A call takes a slice, so Redis serves others in between.
local prefix, first, last = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local names = {}
for bucket = first, last do
  names[#names + 1] = prefix .. string.format('%x', bucket)
end
return redis.call('UNLINK', unpack(names))
