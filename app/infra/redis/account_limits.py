"""The Redis logs that enforce each account's limits: entities processed, API requests.
The limits themselves are stored in MongoDB (app.infra.mongo.accounts.limits)."""

from functools import lru_cache

from app.infra.redis import keys
from app.infra.redis.rate_limit import CallLimit, SlidingWindowLimit
from app.infra.settings import get_settings

WINDOW_MS = 60_000


@lru_cache
def entity_limit() -> SlidingWindowLimit:
    """Entities processed per account; a charge counts a margin past the minute (settings)."""
    settings = get_settings()
    return SlidingWindowLimit(
        keys.entity_rate_prefix(),
        WINDOW_MS + settings.rate_limit_margin_ms,
        # A chunk's writes cannot outlast its actor's time limit.
        writes_last_ms=settings.chunk_time_limit_ms,
    )


@lru_cache
def request_limit() -> CallLimit:
    """API requests per account."""
    return CallLimit(keys.request_rate_prefix(), WINDOW_MS)
