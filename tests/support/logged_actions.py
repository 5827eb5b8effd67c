"""Actions with their logs stored through the platform's own write path (a chunk's logs, then
its counts), for tests and benchmarks that read logs."""

from collections import Counter
from collections.abc import Callable, Container

from beanie import PydanticObjectId

from app.domain.actions import Outcome
from app.domain.clock import utcnow
from app.domain.models import BulkAction, BulkActionStatus, Chunk, LogReason, LogStatus
from app.domain.models.ids import saved_id
from app.engine.completion import mark_done, write_logs

CHUNK_ROWS = 1000


async def log_chunks(
    action: BulkAction,
    rows: int,
    outcome_of: Callable[[int, int], Outcome],
    unprocessed: Container[int] = (),
    chunk_rows: int = CHUNK_ROWS,
) -> Counter[LogStatus]:
    """Stores the action's chunks of `chunk_rows` rows, each logged and done as processing
    leaves it (`outcome_of(seq, row)`), except those whose seq is in `unprocessed`; returns
    the outcomes' counts."""
    counts: Counter[LogStatus] = Counter()
    for seq, first in enumerate(range(1, rows + 1, chunk_rows)):
        last = min(first + chunk_rows - 1, rows)
        chunk = Chunk(
            id=Chunk.id_for(saved_id(action), seq),
            action_id=saved_id(action),
            account_id=action.account_id,
            seq=seq,
            size=last - first + 1,
            first_row=first,
            last_row=last,
        )
        await chunk.insert()
        if seq not in unprocessed:
            outcomes = [outcome_of(seq, row) for row in range(first, last + 1)]
            await write_logs(chunk, outcomes, utcnow())
            await mark_done(chunk, outcomes)
            counts.update(outcome.status for outcome in outcomes)
    return counts


async def stored_logged_action(account: str, rows: int, failing_every: int) -> BulkAction:
    """A finished INSERT of `rows` rows whose logs and chunks are stored as processing
    stores them; every 50th row of every `failing_every`-th chunk FAILED."""

    def outcome(seq: int, row: int) -> Outcome:
        if seq % failing_every == 0 and row % 50 == 0:
            return Outcome(
                row, LogStatus.FAILED, LogReason.INVALID, message="Not an e-mail address."
            )
        entity_id = str(PydanticObjectId())
        return Outcome(row, LogStatus.SUCCESS, LogReason.INSERTED, entity_id=entity_id)

    action = BulkAction(
        id=PydanticObjectId(),
        account_id=account,
        entity_type="CONTACT",
        action_type="INSERT",
        status=BulkActionStatus.COMPLETED_WITH_ERRORS,
        total=rows,
        chunks_total=(rows + CHUNK_ROWS - 1) // CHUNK_ROWS,
    )
    counts = await log_chunks(action, rows, outcome)
    action.succeeded, action.failed = counts[LogStatus.SUCCESS], counts[LogStatus.FAILED]
    action.finished_at = action.created_at
    await action.insert()
    return action
