"""Each account's pacing limit as the workers apply it, and the Redis logs that enforce limits.

`limit_for` is asked by every chunk, so it caches an account's limit briefly per process.
"""

import time
from functools import lru_cache

from app.domain.models import AccountLimit
from app.infra.redis import keys
from app.infra.redis.rate_limit import SlidingWindowLimit
from app.infra.settings import get_settings

WINDOW_MS = 60_000

_cached: dict[str, tuple[float, int]] = {}


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
def request_limit() -> SlidingWindowLimit:
    """API requests per account."""
    return SlidingWindowLimit(keys.request_rate_prefix(), WINDOW_MS)


async def limit_for(account_id: str) -> int:
    """The account's entities per minute; cached briefly, as every chunk asks."""
    now = time.monotonic()
    cached = _cached.get(account_id)
    if cached is not None and cached[0] > now:
        return cached[1]
    own = await AccountLimit.get(account_id)
    settings = get_settings()
    limit = own.per_minute if own is not None else settings.rate_limit_per_minute
    _cached[account_id] = (now + settings.rate_limit_cache_seconds, limit)
    return limit


def forget(account_id: str) -> None:
    """Drops this process's cached limit of the account (it was just set, or must be fresh)."""
    _cached.pop(account_id, None)
