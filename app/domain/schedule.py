"""When an action may start: the checks on a requested start time."""

from datetime import UTC, datetime, timedelta

from app.domain.clock import utcnow
from app.domain.errors import BadUserInput

MAX_SCHEDULE_AHEAD = timedelta(days=366)
# A time this close to now (a clock a little behind the server's) still counts as now.
SCHEDULE_GRACE = timedelta(seconds=5)


def check_schedule(scheduled_at: datetime | None) -> datetime | None:
    """The requested start, in UTC and as MongoDB keeps it (ms); BAD_USER_INPUT if absurd."""
    if scheduled_at is None:
        return None
    when = scheduled_at if scheduled_at.tzinfo else scheduled_at.replace(tzinfo=UTC)
    now = utcnow()
    if when < now - SCHEDULE_GRACE:
        raise BadUserInput("`scheduledAt` is in the past.")
    if when > now + MAX_SCHEDULE_AHEAD:
        raise BadUserInput("`scheduledAt` is more than a year ahead.")
    return when.replace(microsecond=when.microsecond // 1000 * 1000)
