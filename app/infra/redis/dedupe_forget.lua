-- KEYS[1]: the action's set of the buckets it made (dedupe_claim.lua); ARGV[1]: the prefix
-- of the buckets' names; ARGV[2]: how many to unlink in this call. Takes that many from the
-- set and unlinks them; returns how many are left. A call takes a slice, so Redis serves
-- others in between; an action of a few rows made a few buckets, and costs a few unlinks.
local prefix = ARGV[1]
local names = {}
for _, number in ipairs(redis.call('SPOP', KEYS[1], tonumber(ARGV[2]))) do
  names[#names + 1] = prefix .. number
end
if #names > 0 then
  redis.call('UNLINK', unpack(names))
end
return redis.call('SCARD', KEYS[1])
