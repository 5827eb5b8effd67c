"""Figures about an action's progress, derived from its counters."""

from dataclasses import dataclass

from app.clock import utcnow
from app.models import BulkAction
from app.services.progress import counters_of


@dataclass(frozen=True)
class ActionStats:
    total: int
    processed: int
    succeeded: int
    failed: int
    skipped: int
    progress: float
    chunks_total: int
    chunks_done: int
    elapsed_seconds: float | None
    rate_per_second: float | None
    eta_seconds: float | None


async def stats_of(action: BulkAction) -> ActionStats:
    counters = await counters_of(action)
    total = action.total or 0
    processed = counters.processed
    elapsed = rate = eta = None
    if action.started_at is not None:
        end = action.finished_at or utcnow()
        elapsed = max((end - action.started_at).total_seconds(), 0.0)
        if elapsed > 0:
            rate = processed / elapsed
            if action.finished_at is None and rate > 0:
                eta = (total - processed) / rate
    return ActionStats(
        total=total,
        processed=processed,
        succeeded=counters.succeeded,
        failed=counters.failed,
        skipped=counters.skipped,
        progress=processed / total if total else (1.0 if action.finished_at else 0.0),
        chunks_total=action.chunks_total or 0,
        chunks_done=counters.chunks_done,
        elapsed_seconds=elapsed,
        rate_per_second=rate,
        eta_seconds=eta,
    )
