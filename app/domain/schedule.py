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
    if scheduled_at.tzinfo is None:
        # Read as UTC it would start hours off for anyone elsewhere: say so instead.
        raise BadUserInput(
            "`scheduledAt` needs a time zone: end it with Z (UTC) or an offset such as +02:00."
        )
    when = scheduled_at.astimezone(UTC)
    now = utcnow()
    if when < now - SCHEDULE_GRACE:
        raise BadUserInput("`scheduledAt` is in the past.")
    if when > now + MAX_SCHEDULE_AHEAD:
        raise BadUserInput("`scheduledAt` is more than a year ahead.")
    return when.replace(microsecond=when.microsecond // 1000 * 1000)
