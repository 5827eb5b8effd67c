"""Connections and helpers over MongoDB and Redis: settings, database, Redis key names,
broker messages, uploads, CSV reading, rate-limit logs, leases and other small stores."""
