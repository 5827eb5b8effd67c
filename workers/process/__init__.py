"""How a worker process runs its work: its event loop, its garbage collector and its CPU
priority, each set once as the process boots (middleware the broker adds)."""
