-- ARGV: writes_last_ms, window_ms, token prefixes. Returns, for each prefix, the cost of the
-- writes in progress whose token starts so.
-- needs: rate_limit_open.lua
local writing = redis.call('ZRANGE', KEYS[2], 0, -1)
local sums = {}
for i = 3, #ARGV do
  local prefix = ARGV[i]
  local sum = 0
  for _, member in ipairs(writing) do
    local token = string.match(member, '^%d+:(.*)$')
    if token and string.sub(token, 1, #prefix) == prefix then sum = sum + cost_of(member) end
  end
  sums[#sums + 1] = sum
end
return sums
