"""Log pages walk the blocks in row order, forward and backward: across chunks that meet
inside a block, over parts not processed yet, and over long runs of rows of other statuses,
without reading every empty block on the way."""

import pytest
from beanie import PydanticObjectId

from app.domain.actions import Outcome
from app.domain.clock import utcnow
from app.domain.errors import NotFound
from app.domain.models import ActionLog, BulkAction, BulkActionStatus, LogReason, LogStatus
from app.domain.principal import Principal
from app.infra.redis import liveness
from app.usecases.reading import logs
from app.usecases.reading.pagination import PageRequest, encode_cursor
from tests.integration.commands import COUNTER
from tests.support.logged_actions import log_chunks

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
    await log_chunks(action, rows, lambda _seq, row: outcome(row), unprocessed, CHUNK_ROWS)
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
        request = PageRequest(first=25, after=after)
        page = await logs.list_logs(Principal(account), str(action.id), status, request)
        found.extend(log for _, log in page.items)
        if not page.has_next_page:
            return [log.row for log in found]
        after = page.end_cursor


async def every_page_backward(
    account: str, action: BulkAction, status: LogStatus | None
) -> list[int]:
    """The pages from the last one to the first, each in row order, put back together."""
    pages: list[list[int]] = []
    before = None
    while True:
        request = PageRequest(last=25, before=before)
        page = await logs.list_logs(Principal(account), str(action.id), status, request)
        rows = [log.row for _, log in page.items]
        assert rows == sorted(rows)
        pages.insert(0, rows)
        if not page.has_previous_page:
            return [row for rows in pages for row in rows]
        before = page.start_cursor


async def test_pages_give_every_logged_row_once_in_order(database: None, account: str) -> None:
    rows, unprocessed = 2000, range(10, 30)  # rows 371 to 1110 are not processed yet
    action = await stored_action(account, rows, unprocessed)
    for status in (None, LogStatus.SUCCESS, LogStatus.FAILED, LogStatus.SKIPPED):
        assert await every_page(account, action, status) == expected(rows, unprocessed, status)
        backward = await every_page_backward(account, action, status)
        assert backward == expected(rows, unprocessed, status)
    request = PageRequest(first=3)
    page = await logs.list_logs(Principal(account), str(action.id), LogStatus.FAILED, request)
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
    request = PageRequest(first=50, after="bG9nOjM3")  # after row 37
    with COUNTER.counting() as commands:
        page = await logs.list_logs(Principal(account), str(action.id), None, request)
    assert [log.row for _, log in page.items] == list(range(2961, 3001))
    assert not page.has_next_page
    assert len(commands) <= 10, commands
    request = PageRequest(last=50, before=page.start_cursor)
    with COUNTER.counting() as commands:
        page = await logs.list_logs(Principal(account), str(action.id), None, request)
    assert [log.row for _, log in page.items] == list(range(1, 38))
    assert not page.has_previous_page and page.has_next_page
    assert len(commands) <= 10, commands


async def test_a_page_between_two_cursors_holds_the_rows_between(
    database: None, account: str
) -> None:
    action = await stored_action(account, 500, range(0))
    after, before = encode_cursor("log", 100), encode_cursor("log", 131)
    for request in (
        PageRequest(first=50, after=after, before=before),
        PageRequest(last=50, after=after, before=before),
    ):
        page = await logs.list_logs(Principal(account), str(action.id), None, request)
        assert [log.row for _, log in page.items] == list(range(101, 131))
        assert page.has_next_page == request.backward
        assert page.has_previous_page != request.backward
    request = PageRequest(last=10, after=after, before=before)
    page = await logs.list_logs(Principal(account), str(action.id), LogStatus.SKIPPED, request)
    assert [log.row for _, log in page.items] == [104, 117, 130]


async def test_the_export_reads_every_log(database: None, account: str) -> None:
    rows, unprocessed = 1000, range(5, 6)
    action = await stored_action(account, rows, unprocessed, total_known=False)
    exported = [log.row async for log in logs.iter_logs(Principal(account), str(action.id), None)]
    assert exported == expected(rows, unprocessed, None)


async def test_pages_of_an_ended_action_read_it_once_and_only_for_its_owner(
    database: None, account: str
) -> None:
    """What a reader of an ended action's logs needs of it never changes: this process keeps
    its copy, so each page after the first reads its logs and nothing else; and the copy is
    its owner's alone."""
    action = await stored_action(account, 300, range(0))
    await BulkAction.get_pymongo_collection().update_one(
        {"_id": action.id},
        {"$set": {"status": "COMPLETED", "finished_at": utcnow(), "succeeded": 300}},
    )
    request = PageRequest(first=50, after=encode_cursor("log", 10))
    await logs.list_logs(Principal(account), str(action.id), None, request)  # read: it ended
    with COUNTER.counting() as commands:
        page = await logs.list_logs(Principal(account), str(action.id), None, request)
    assert [log.row for _, log in page.items] == list(range(11, 61))
    assert commands == [("find", "log_blocks")], commands
    with pytest.raises(NotFound):
        await logs.list_logs(Principal("someone-else"), str(action.id), None, request)


async def test_a_page_of_a_completed_action_reads_only_the_blocks_it_shows(
    database: None, account: str
) -> None:
    """Every row of a completed action is logged, so a page that ends a block knows from the
    action's total whether more follow, without reading the next block for one row."""
    action = await stored_action(account, 300, range(0))
    await BulkAction.get_pymongo_collection().update_one(
        {"_id": action.id},
        {"$set": {"status": "COMPLETED_WITH_ERRORS", "finished_at": utcnow(), "succeeded": 300}},
    )
    await logs.list_logs(Principal(account), str(action.id), None, PageRequest(first=1))
    found, after, pages = [], None, []
    while True:
        with COUNTER.counting() as commands:
            page = await logs.list_logs(
                Principal(account), str(action.id), None, PageRequest(first=50, after=after)
            )
        assert commands == [("find", "log_blocks")], commands
        found += [log.row for _, log in page.items]
        pages.append(page.has_next_page)
        if not page.has_next_page:
            break
        after = page.end_cursor
    assert found == list(range(1, 301))
    assert pages == [True] * 5 + [False]
    between = PageRequest(
        first=50, after=encode_cursor("log", 150), before=encode_cursor("log", 201)
    )
    page = await logs.list_logs(Principal(account), str(action.id), None, between)
    assert [log.row for _, log in page.items] == list(range(151, 201))
    assert not page.has_next_page
    shorter = PageRequest(
        first=50, after=encode_cursor("log", 150), before=encode_cursor("log", 202)
    )
    page = await logs.list_logs(Principal(account), str(action.id), None, shorter)
    assert page.has_next_page
