-- Only the holder (ARGV[1], its token) may give back the lease KEYS[1].
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
