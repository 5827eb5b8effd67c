"""Per-account limits as the API offers them: an admin sets one, an owner reads its usage,
and every request is charged against the API limit."""

import math
import uuid
from dataclasses import dataclass

from app.domain.access import AuditKind
from app.domain.clock import utcnow
from app.domain.errors import BadUserInput, Forbidden, RateLimited
from app.domain.models import AccountLimit
from app.domain.principal import Principal
from app.domain.values import text_problem
from app.infra.auth import MAX_ACCOUNT_ID
from app.infra.mongo.accounts import limits as stored_limits
from app.infra.mongo.accounts.limits import limit_for
from app.infra.redis.account_limits import entity_limit, request_limit
from app.infra.settings import get_settings
from app.usecases.accounts import audit

MAX_PER_MINUTE = 1_000_000_000


async def set_limit(principal: Principal, account_id: str, per_minute: int) -> AccountLimit:
    if not principal.is_admin:
        raise Forbidden("Only an admin token may set an account's rate limit.")
    if not account_id.strip() or len(account_id) > MAX_ACCOUNT_ID:
        raise BadUserInput(f"`accountId` must be 1 to {MAX_ACCOUNT_ID} characters.")
    if (found := text_problem(account_id)) is not None:
        raise BadUserInput(f"`accountId` {found}.")
    if not 1 <= per_minute <= MAX_PER_MINUTE:
        raise BadUserInput(f"`perMinute` must be between 1 and {MAX_PER_MINUTE}.")
    limit = AccountLimit(
        id=account_id, per_minute=per_minute, updated_at=utcnow(), updated_by=principal.account_id
    )
    await stored_limits.save(limit)
    await audit.record(
        principal, AuditKind.LIMIT_CHANGED, account_id=account_id, per_minute=per_minute
    )
    return limit


@dataclass(frozen=True)
class AccountRateLimit:
    account_id: str
    per_minute: int
    used: int  # entities written, or being written, in the rolling minute ending now
    booked_ahead: int  # entities of chunks let through or waiting, not written yet
    window_seconds: float

    @property
    def available(self) -> int:
        return max(0, self.per_minute - self.used)


async def account_rate_limit(principal: Principal) -> AccountRateLimit:
    stored_limits.forget(principal.account_id)
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
    booking = await request_limit().take(principal.account_id, limit, token=uuid.uuid4().hex)
    if not booking.booked:
        retry_after = max(1, math.ceil(booking.wait_ms / 1000))
        raise RateLimited(
            f"Too many requests: at most {limit} per minute for this account; "
            f"retry in {retry_after} s.",
            retryAfter=retry_after,
        )
