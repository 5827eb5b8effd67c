"""What a metrics scrape reads from the platform's state, across every account."""

from collections import Counter
from dataclasses import dataclass
from typing import Any

from app.domain.clock import utcnow
from app.domain.drip import next_start
from app.domain.drip.batches import next_due
from app.infra.mongo import actions, drips
from app.infra.redis import tasks
from app.infra.redis.waiting import waiting_of_many


@dataclass(frozen=True)
class Active:
    """Actions not ended yet, by (status, action type), and the rows and chunks of theirs
    waiting for their account's rate limit (all accounts together: no label per account)."""

    by_status_and_type: Counter[tuple[str, str]]
    waiting_rows: int
    waiting_chunks: int
    # Drip actions whose next batch may not start yet (outside their window, or their
    # interval not run out).
    waiting_for_drip: int = 0


async def active_actions() -> Active:
    """A few actions at a time, however long the platform has run (ended ones are counted by
    the workers as they end)."""
    found = await actions.active()
    waiting = await waiting_of_many([str(doc["_id"]) for doc in found])
    return Active(
        Counter((doc["status"], doc["action_type"]) for doc in found),
        sum(held.rows for held in waiting),
        sum(held.chunks for held in waiting),
        await waiting_for_drip(found),
    )


async def waiting_for_drip(found: list[dict[str, Any]]) -> int:
    """How many running drip actions wait for their next batch's time (a few reads per
    drip action: their pace and last batch)."""
    paced = [
        doc["_id"]
        for doc in found
        if doc.get("dripped") and not doc.get("dry_run") and doc["status"] == "PROCESSING"
    ]
    if not paced:
        return 0
    paces = await drips.paces_of(paced)
    lasts = await drips.last_batches(list(paces))
    now = utcnow()
    return sum(
        1
        for action_id, pace in paces.items()
        if (last := lasts.get(action_id)) is not None
        and next_start(pace, max(next_due(pace, last, now), now)) > now
    )


async def queued_messages() -> dict[str, int]:
    """Messages waiting in the work queue: ready now, and delayed (paced chunks, retries)."""
    return await tasks.queue_depth()
