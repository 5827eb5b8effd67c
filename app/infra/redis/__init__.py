"""Redis: the client and its Lua scripts, every key name (keys), the broker's messages (tasks),
rate limits, leases, signs of life, dedupe, waiting chunks and change signals."""
