"""The limits store: each account's own pacing limit (app.domain.models.account_limit).

`limit_for` is asked by every chunk, so it caches an account's limit briefly per process
(RATE_LIMIT_CACHE_SECONDS).
"""

import time

from app.domain.models import AccountLimit
from app.infra.settings import get_settings

_cached: dict[str, tuple[float, int]] = {}


async def limit_for(account_id: str) -> int:
    """The account's entities per minute: its own, else the platform's default."""
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


async def save(limit: AccountLimit) -> None:
    await limit.save()
    forget(limit.id)
