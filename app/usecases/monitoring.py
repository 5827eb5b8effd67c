"""What a metrics scrape reads from the platform's state, across every account."""

from collections import Counter

from app.domain.models import TERMINAL_STATUSES, BulkAction, BulkActionStatus
from app.infra import tasks

ACTIVE = [str(status) for status in BulkActionStatus if status not in TERMINAL_STATUSES]


async def active_actions() -> Counter[tuple[str, str]]:
    """Actions not ended yet, by (status, action type): a few at a time, however long the
    platform has run (ended ones are counted by the workers as they end)."""
    cursor = BulkAction.get_pymongo_collection().find(
        {"status": {"$in": ACTIVE}}, {"_id": 0, "status": 1, "action_type": 1}
    )
    return Counter([(doc["status"], doc["action_type"]) async for doc in cursor])


async def queued_messages() -> dict[str, int]:
    """Messages waiting in the work queue: ready now, and delayed (paced chunks, retries)."""
    return await tasks.queue_depth()
