"""An action's outcome counts: summed over its done chunks while it runs, frozen at the end."""

from collections.abc import Sequence
from dataclasses import dataclass

from beanie import PydanticObjectId

from app.domain.models import TERMINAL_STATUSES, BulkAction, Chunk, LogStatus
from app.domain.models.chunk import COUNT_FIELDS
from app.domain.models.ids import saved_id

# Chunk documents per reply when summing counts: about 100 bytes each as projected.
CHUNKS_PER_REPLY = 10_000


@dataclass(frozen=True)
class Counters:
    succeeded: int = 0
    failed: int = 0
    skipped: int = 0
    chunks_done: int = 0
    planned: int = 0  # rows in the chunks planned so far

    @property
    def processed(self) -> int:
        return self.succeeded + self.failed + self.skipped

    def of_status(self, status: LogStatus | None) -> int:
        by_status = {
            LogStatus.SUCCESS: self.succeeded,
            LogStatus.FAILED: self.failed,
            LogStatus.SKIPPED: self.skipped,
        }
        return self.processed if status is None else by_status[status]


async def sum_chunks_of(
    action_ids: Sequence[PydanticObjectId],
) -> dict[PydanticObjectId, Counters]:
    """Sums the counts of the actions' chunks, with one query for all of them.

    Summed here rather than with $group: FerretDB v1 answers wrong figures for a $group with
    several $sum accumulators, or with {"$sum": 1}. One small document per chunk is cheap.
    """
    sums = {action_id: [0, 0, 0, 0, 0] for action_id in action_ids}
    if not sums:
        return {}
    owners = list(sums)
    found = (
        await Chunk.get_pymongo_collection()
        .find(
            # One action is an equality, which every server answers from an index.
            {"action_id": owners[0] if len(owners) == 1 else {"$in": owners}},
            {
                "_id": 0,
                "action_id": 1,
                "done": 1,
                "size": 1,
                "parent": 1,
                **dict.fromkeys(COUNT_FIELDS.values(), 1),
            },
            # A few small fields per chunk: one reply holds a page of actions' chunks (the
            # server's default first batch of 101 documents made a page of 100 actions
            # ask again).
            batch_size=CHUNKS_PER_REPLY,
        )
        .to_list()
    )
    for chunk in found:
        figures = sums[chunk["action_id"]]
        if chunk.get("parent") is None:
            figures[4] += chunk.get("size", 0)
        if not chunk.get("done"):
            continue
        for n, field in enumerate(COUNT_FIELDS.values()):  # succeeded, failed, skipped
            figures[n] += chunk.get(field, 0)
        # Parts of a split chunk carry its counts; the chunk itself counts as one done.
        figures[3] += chunk.get("parent") is None
    return {action_id: Counters(*figures) for action_id, figures in sums.items()}


async def sum_chunks(action_id: PydanticObjectId) -> Counters:
    return (await sum_chunks_of([action_id]))[action_id]


def final_counters(action: BulkAction) -> Counters | None:
    """The counts frozen on an action that has ended; None while it runs."""
    if action.status in TERMINAL_STATUSES and action.finished_at is not None:
        return Counters(
            succeeded=action.succeeded,
            failed=action.failed,
            skipped=action.skipped,
            chunks_done=action.chunks_total or 0,
            planned=action.total or 0,
        )
    return None


async def counters_of_many(actions: Sequence[BulkAction]) -> list[Counters]:
    """Each action's counts: frozen ones as they are, the running ones' in one query."""
    frozen = [final_counters(action) for action in actions]
    running = [saved_id(a) for a, counts in zip(actions, frozen, strict=True) if counts is None]
    summed = await sum_chunks_of(running)
    return [
        counts or summed[saved_id(action)] for action, counts in zip(actions, frozen, strict=True)
    ]


async def counters_of(action: BulkAction) -> Counters:
    return (await counters_of_many([action]))[0]
