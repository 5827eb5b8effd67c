"""When an action starts: checking a requested time, and sending the planner for it.

A start within the horizon gets a delayed planner message, which starts it on time. A later
one gets none: the sweeper (app.services.sweeping) starts due actions from MongoDB, so no
worker holds a message for weeks, and a message lost on the way changes nothing.
"""

import asyncio
from datetime import UTC, datetime, timedelta

from app import tasks
from app.clock import utcnow
from app.errors import BadUserInput
from app.services import liveness

MAX_SCHEDULE_AHEAD = timedelta(days=366)
# A time this close to now (a clock a little behind the server's) still counts as now.
SCHEDULE_GRACE = timedelta(seconds=5)
MESSAGE_HORIZON = timedelta(hours=1)


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


async def send_planner(action_id: str, start: datetime | None = None) -> None:
    """Queues the planner now, or for `start` when that is within the horizon."""
    wait = (start - utcnow()) if start is not None else timedelta(0)
    if wait > MESSAGE_HORIZON:
        return
    if wait <= timedelta(0):
        await liveness.touch(action_id)  # the sweeper waits while the message is on its way
    delay_ms = max(0, int(wait.total_seconds() * 1000)) or None
    await asyncio.to_thread(tasks.send, tasks.PLAN_ACTION, action_id, delay_ms=delay_ms)
