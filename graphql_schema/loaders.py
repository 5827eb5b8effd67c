"""Per-request batching of what each BulkAction node reads: its shown status and its stats.

A list of N actions resolves `status` and `stats` N times; the loaders gather those calls
made in one tick into one batched read each (app.usecases), so a page costs the same few
database and Redis commands whatever its size. Caching is off: a loader lives as long as its
context, which for a WebSocket is the whole connection, and figures must never be stale.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field

from strawberry.dataloader import DataLoader

from app.domain.models import BulkAction, BulkActionStatus
from app.usecases.control import statuses_of
from app.usecases.stats import ActionStats, stats_of_many


async def stats_with_statuses(
    keys: Sequence[tuple[BulkAction, BulkActionStatus]],
) -> list[ActionStats]:
    """Stats of actions whose shown status the status loader has read already."""
    return await stats_of_many([action for action, _ in keys], [status for _, status in keys])


@dataclass
class Loaders:
    status: DataLoader[BulkAction, BulkActionStatus] = field(
        default_factory=lambda: DataLoader(load_fn=statuses_of, cache=False)
    )
    # Keyed by (action, shown status): the status is what the ETA depends on.
    stats: DataLoader[tuple[BulkAction, BulkActionStatus], ActionStats] = field(
        default_factory=lambda: DataLoader(load_fn=stats_with_statuses, cache=False)
    )
