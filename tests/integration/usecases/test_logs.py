"""Log pages walk the blocks in row order: across chunks that meet inside a block, over
parts not processed yet, and over long runs of rows of other statuses, without reading
every empty block on the way."""

from beanie import PydanticObjectId

from app.domain.actions import Outcome
from app.domain.clock import utcnow
from app.domain.models import ActionLog, BulkAction, BulkActionStatus, Chunk, LogReason, LogStatus
from app.domain.models.ids import saved_id
from app.domain.principal import Principal
from app.engine.completion import mark_done, write_logs
from app.infra import liveness
from app.usecases import logs
from tests.integration.commands import COUNTER

CHUNK_ROWS = 37  # chunks meet inside blocks of 100


def outcome(row: int) -> Outcome:
    if row % 97 == 0:
        return Outcome(row, LogStatus.FAILED, LogReason.INVALID, message=f"bad {row}")
    if row % 13 == 0:
        return Outcome(row, LogStatus.SKIPPED, LogReason.DUPLICATE_IN_INPUT)
    return Outcome(row, LogStatus.SUCCESS, LogReason.INSERTED, entity_id=f"e{row}")


async def stored_action(
    account: str, rows: int, unprocessed: range, total_known: bool = True
) -> BulkAction:
    """An action whose chunks are all logged and done, except those in `unprocessed`."""
    action = BulkAction(
        id=PydanticObjectId(),
        account_id=account,
        entity_type="CONTACT",
        action_type="INSERT",
        status=BulkActionStatus.PROCESSING,
        total=rows if total_known else None,
    )
    await action.insert()
    await liveness.touch(str(action.id))  # the suite's sweeper leaves it alone
    for seq, first in enumerate(range(1, rows + 1, CHUNK_ROWS)):
        last = min(first + CHUNK_ROWS - 1, rows)
        chunk = Chunk(
            id=Chunk.id_for(saved_id(action), seq),
            action_id=saved_id(action),
            account_id=account,
            seq=seq,
            size=last - first + 1,
            first_row=first,
            last_row=last,
        )
        await chunk.insert()
        if seq not in unprocessed:
            outcomes = [outcome(row) for row in range(first, last + 1)]
            await write_logs(chunk, outcomes, utcnow())
            await mark_done(chunk, outcomes)
    return action


def expected(rows: int, unprocessed: range, status: LogStatus | None) -> list[int]:
    return [
        row
        for row in range(1, rows + 1)
        if (row - 1) // CHUNK_ROWS not in unprocessed
        and (status is None or outcome(row).status is status)
    ]


async def every_page(account: str, action: BulkAction, status: LogStatus | None) -> list[int]:
    found: list[ActionLog] = []
    after = None
    while True:
        page = await logs.list_logs(Principal(account), str(action.id), status, 25, after)
        found.extend(log for _, log in page.items)
        if not page.has_next_page:
            return [log.row for log in found]
        after = page.end_cursor


async def test_pages_give_every_logged_row_once_in_order(database: None, account: str) -> None:
    rows, unprocessed = 2000, range(10, 30)  # rows 371 to 1110 are not processed yet
    action = await stored_action(account, rows, unprocessed)
    for status in (None, LogStatus.SUCCESS, LogStatus.FAILED, LogStatus.SKIPPED):
        assert await every_page(account, action, status) == expected(rows, unprocessed, status)
    page = await logs.list_logs(Principal(account), str(action.id), LogStatus.FAILED, 3, None)
    assert [(log.row, log.reason, log.message) for _, log in page.items] == [
        (97, LogReason.INVALID, "bad 97"),
        (194, LogReason.INVALID, "bad 194"),
        (291, LogReason.INVALID, "bad 291"),
    ]


async def test_a_page_skips_unprocessed_rows_without_reading_each_block(
    database: None, account: str
) -> None:
    rows, unprocessed = 3000, range(1, 80)  # rows 38 to 2960: 29 blocks hold nothing
    action = await stored_action(account, rows, unprocessed, total_known=False)
    with COUNTER.counting() as commands:
        page = await logs.list_logs(Principal(account), str(action.id), None, 50, "bG9nOjM3")
    assert [log.row for _, log in page.items] == list(range(2961, 3001))
    assert not page.has_next_page
    assert len(commands) <= 10, commands


async def test_the_export_reads_every_log(database: None, account: str) -> None:
    rows, unprocessed = 1000, range(5, 6)
    action = await stored_action(account, rows, unprocessed, total_known=False)
    exported = [log.row async for log in logs.iter_logs(Principal(account), str(action.id), None)]
    assert exported == expected(rows, unprocessed, None)
