"""The live hub's mailboxes: a subscriber that reads late gets the latest state only."""

import asyncio
from datetime import timedelta

from beanie import PydanticObjectId

from app.domain.clock import utcnow
from app.domain.models import BulkAction, BulkActionStatus
from app.usecases.reading.live import Progress, Watcher
from app.usecases.reading.stats import ActionStats


def progress(action: BulkAction, processed: int, seconds: float) -> Progress:
    stats = ActionStats(
        total=100,
        processed=processed,
        succeeded=processed,
        failed=0,
        skipped=0,
        progress=processed / 100,
        chunks_total=10,
        chunks_done=processed // 10,
        elapsed_seconds=None,
        rate_per_second=None,
        eta_seconds=None,
        waiting_chunks=0,
        waiting_rows=0,
        next_start_at=None,
        rate_limit_per_minute=10_000,
    )
    return Progress(
        action=action,
        status=BulkActionStatus.PROCESSING,
        stats=stats,
        at=utcnow() + timedelta(seconds=seconds),
    )


async def test_a_slow_subscriber_keeps_only_the_latest_state_per_action() -> None:
    first = BulkAction.model_construct(
        id=PydanticObjectId(), account_id="a", entity_type="CONTACT", action_type="INSERT"
    )
    second = BulkAction.model_construct(
        id=PydanticObjectId(), account_id="a", entity_type="CONTACT", action_type="INSERT"
    )
    watcher = Watcher()
    for n in range(1, 1001):
        watcher.offer(progress(first, n % 100, n))
    watcher.offer(progress(second, 50, 1))
    watcher.offer(progress(first, 1, 0))  # older than what it holds: ignored

    taken = await asyncio.wait_for(watcher.take(), 1)
    assert len(watcher.latest) == 0
    assert sorted((str(p.action.id), p.stats.processed) for p in taken) == sorted(
        [(str(first.id), 0), (str(second.id), 50)]
    )
