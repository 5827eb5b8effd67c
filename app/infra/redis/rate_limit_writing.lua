-- ARGV: writes_last_ms, window_ms, token prefixes. Returns, for each prefix, the cost of the
-- writes in progress whose token starts so (a walk of the writes in progress, which are few:
-- at most the chunks being written at once).
-- needs: rate_limit_open.lua
local writing = redis.call('ZRANGE', KEYS[2], 0, -1)
local found = {}
for i = 3, #ARGV do
  local prefix = ARGV[i]
  local sum = 0
  for _, member in ipairs(writing) do
    local token = string.match(member, '^%d+:(.*)$')
    if token and string.sub(token, 1, #prefix) == prefix then sum = sum + cost_of(member) end
  end
  found[#found + 1] = sum
end
return done(found)
