-- The lease KEYS[1] passes from the holder ARGV[1] to ARGV[2], for ARGV[3] ms; 1 if it did.
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
  return 1
end
return 0
