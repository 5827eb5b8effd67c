-- Only the holder (ARGV[1], its token) may renew the lease KEYS[1], for ARGV[2] ms.
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
