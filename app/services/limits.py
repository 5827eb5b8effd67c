"""Per-account limits: entities per minute for the workers, requests per minute for the API."""

import math
import time
import uuid
from dataclasses import dataclass
from functools import lru_cache

from app.auth import Principal
from app.clock import utcnow
from app.errors import BadUserInput, Forbidden, RateLimited
from app.models import AccountLimit
from app.rate_limit import SlidingWindowLimit
from app.settings import get_settings

WINDOW_MS = 60_000
MAX_PER_MINUTE = 1_000_000_000
ADMIN_ROLE = "admin"

_cached: dict[str, tuple[float, int]] = {}


@lru_cache
def entity_limit() -> SlidingWindowLimit:
    """Entities processed per account; a charge counts a margin past the minute (settings)."""
    settings = get_settings()
    return SlidingWindowLimit(
        f"{settings.queue_namespace}:rate:entities", WINDOW_MS + settings.rate_limit_margin_ms
    )


@lru_cache
def request_limit() -> SlidingWindowLimit:
    return SlidingWindowLimit(f"{get_settings().queue_namespace}:rate:requests", WINDOW_MS)


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


async def set_limit(principal: Principal, account_id: str, per_minute: int) -> AccountLimit:
    if principal.role != ADMIN_ROLE:
        raise Forbidden("Only an admin token may set an account's rate limit.")
    if not account_id.strip():
        raise BadUserInput("`accountId` must not be empty.")
    if not 1 <= per_minute <= MAX_PER_MINUTE:
        raise BadUserInput(f"`perMinute` must be between 1 and {MAX_PER_MINUTE}.")
    limit = AccountLimit(
        id=account_id, per_minute=per_minute, updated_at=utcnow(), updated_by=principal.account_id
    )
    await limit.save()
    _cached.pop(account_id, None)
    return limit


@dataclass(frozen=True)
class AccountRateLimit:
    account_id: str
    per_minute: int
    used: int  # entities counted in the rolling minute ending now
    booked_ahead: int  # entities of chunks waiting for their booked time
    window_seconds: float

    @property
    def available(self) -> int:
        return max(0, self.per_minute - self.used)


async def account_rate_limit(principal: Principal) -> AccountRateLimit:
    _cached.pop(principal.account_id, None)
    per_minute = await limit_for(principal.account_id)
    limiter = entity_limit()
    usage = await limiter.usage(principal.account_id)
    return AccountRateLimit(
        account_id=principal.account_id,
        per_minute=per_minute,
        used=usage.in_window,
        booked_ahead=usage.ahead,
        window_seconds=limiter.window_ms / 1000,
    )


async def charge_request(principal: Principal) -> None:
    """Counts one API request of the account; over the limit, RATE_LIMITED with retryAfter."""
    limit = get_settings().api_rate_limit_per_minute
    booking = await request_limit().try_acquire(
        principal.account_id, limit, 1, token=uuid.uuid4().hex
    )
    if not booking.booked:
        retry_after = max(1, math.ceil(booking.wait_ms / 1000))
        raise RateLimited(
            f"Too many requests: at most {limit} per minute for this account; "
            f"retry in {retry_after} s.",
            retryAfter=retry_after,
        )
