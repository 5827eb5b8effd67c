"""What a metrics scrape reads from the platform's state, across every account."""

from collections import Counter
from dataclasses import dataclass

from app.infra.mongo import actions
from app.infra.redis import tasks
from app.infra.redis.waiting import waiting_of_many


@dataclass(frozen=True)
class Active:
    """Actions not ended yet, by (status, action type), and the rows and chunks of theirs
    waiting for their account's rate limit (all accounts together: no label per account)."""

    by_status_and_type: Counter[tuple[str, str]]
    waiting_rows: int
    waiting_chunks: int


async def active_actions() -> Active:
    """A few actions at a time, however long the platform has run (ended ones are counted by
    the workers as they end)."""
    found = await actions.active()
    waiting = await waiting_of_many([str(doc["_id"]) for doc in found])
    return Active(
        Counter((doc["status"], doc["action_type"]) for doc in found),
        sum(held.rows for held in waiting),
        sum(held.chunks for held in waiting),
    )


async def queued_messages() -> dict[str, int]:
    """Messages waiting in the work queue: ready now, and delayed (paced chunks, retries)."""
    return await tasks.queue_depth()
