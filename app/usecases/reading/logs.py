"""Reading an action's logs in row order: pages behind a row cursor, and the whole export.

Logs are stored in blocks of consecutive rows, split by status (app.domain.models.action_log).
A page of every status walks blocks from the cursor on, each one equality read; where blocks
hold nothing yet (a part of the action not processed), it asks the chunks where the next logs
are instead of reading empty blocks one by one. A page of one status asks the chunks which of
them have rows of it (their counts say) and reads only those rows. A backward page (Relay's
`last`/`before`) walks the same way from its end.
"""

from collections.abc import AsyncGenerator, Callable
from contextlib import AsyncExitStack, aclosing
from typing import Any

from beanie import PydanticObjectId

from app.domain.models import ActionLog, BulkAction, BulkActionStatus, LogStatus
from app.domain.models.action_log import BLOCK_ROWS, block_of
from app.domain.models.ids import saved_id
from app.domain.principal import Principal
from app.infra.mongo import chunks
from app.infra.mongo import logs as stored_logs
from app.usecases.input_cells import InputCells
from app.usecases.reading.pagination import (
    Page,
    PageRequest,
    decode_cursor,
    encode_cursor,
    not_a_cursor,
    page_of,
)
from app.usecases.reading.queries import get_action

# The columns of logs.csv, before the input columns that the failed rows' export adds.
LOG_CSV_COLUMNS = ("row", "entity_id", "status", "reason", "message", "at")
MAX_ROW_DIGITS = 18
# Blocks read in a row without a log for the reader before it asks the chunks for the next.
FRUITLESS_BLOCKS = 2
# Chunks with logs of the wanted status that one query finds, to be read one by one.
CHUNKS_PER_QUERY = 20


async def next_logged_row(action_id: PydanticObjectId, after: int) -> int | None:
    """The first row after `after` of a done chunk, if any."""
    return await chunks.next_done_row(action_id, after)


async def walk_blocks(action: BulkAction, after: int) -> AsyncGenerator[ActionLog, None]:
    """Every log after row `after` in row order, as far as they are written."""
    action_id = saved_id(action)
    block = block_of(after + 1)
    last_block = block_of(action.total) if action.total is not None else None
    fruitless = 0
    while last_block is None or block <= last_block:
        logged = False
        for log in await stored_logs.read_block(action_id, block, after):
            logged = True
            yield log
        fruitless = 0 if logged else fruitless + 1
        block += 1
        if fruitless >= FRUITLESS_BLOCKS:
            following = await next_logged_row(action_id, block * BLOCK_ROWS)
            if following is None:
                return
            block, fruitless = max(block, block_of(following)), 0


async def previous_logged_row(action_id: PydanticObjectId, before: int | None) -> int | None:
    """The last row before `before` (or of all) of a done chunk, if any."""
    return await chunks.previous_done_row(action_id, before)


async def walk_blocks_back(
    action: BulkAction, before: int | None
) -> AsyncGenerator[ActionLog, None]:
    """Every log before row `before` (or of all rows) in reverse row order."""
    action_id = saved_id(action)
    last = before - 1 if before is not None else await previous_logged_row(action_id, None)
    if last is None:
        return
    block, fruitless = block_of(last), 0
    while block >= 0:
        logs = [
            log
            for log in reversed(list(await stored_logs.read_block(action_id, block)))
            if log.row <= last
        ]
        for log in logs:
            yield log
        fruitless = 0 if logs else fruitless + 1
        block -= 1
        if fruitless >= FRUITLESS_BLOCKS:
            preceding = await previous_logged_row(action_id, (block + 1) * BLOCK_ROWS + 1)
            if preceding is None:
                return
            block, fruitless = min(block, block_of(preceding)), 0


async def chunks_with(
    action_id: PydanticObjectId, status: LogStatus, after: int
) -> list[dict[str, Any]]:
    """The next done chunks (or parts) after row `after` that have rows of this status."""
    return await chunks.with_status_after(action_id, status, after, CHUNKS_PER_QUERY)


async def chunk_logs(
    action_id: PydanticObjectId, chunks: list[dict[str, Any]], status: LogStatus
) -> AsyncGenerator[list[ActionLog], None]:
    """The logs of one status of each chunk found, in the order found, in row order; the
    parts of a split chunk are read once, with the chunk."""
    read = set()
    for chunk in chunks:
        if chunk["seq"] not in read:
            read.add(chunk["seq"])
            yield await stored_logs.read_chunk(action_id, chunk["seq"], status)


async def walk_chunks(
    action: BulkAction, status: LogStatus, after: int
) -> AsyncGenerator[ActionLog, None]:
    """The logs of one status after row `after` in row order, read from the chunks whose
    counts say they have some: rows of other statuses are never read."""
    action_id = saved_id(action)
    while found := await chunks_with(action_id, status, after):
        floor = after
        async for logs in chunk_logs(action_id, found, status):
            for log in logs:
                if log.row > floor:
                    yield log
                    after = max(after, log.row)
        after = max(after, found[-1]["last_row"])


async def chunks_before(
    action_id: PydanticObjectId, status: LogStatus, before: int | None
) -> list[dict[str, Any]]:
    """The done chunks (or parts) before row `before` that have rows of this status, the
    latest first."""
    return await chunks.with_status_before(action_id, status, before, CHUNKS_PER_QUERY)


async def walk_chunks_back(
    action: BulkAction, status: LogStatus, before: int | None
) -> AsyncGenerator[ActionLog, None]:
    """The logs of one status before row `before` (or of all rows) in reverse row order."""
    action_id = saved_id(action)
    while found := await chunks_before(action_id, status, before):
        ceiling = before
        async for logs in chunk_logs(action_id, found, status):
            for log in reversed(logs):
                if ceiling is None or log.row < ceiling:
                    yield log
                    before = log.row if before is None else min(before, log.row)
        lowest = found[-1]["first_row"]
        before = lowest if before is None else min(before, lowest)


async def walk(
    action: BulkAction, status: LogStatus | None, after: int
) -> AsyncGenerator[ActionLog, None]:
    """The logs after row `after`, of one status or all, in row order."""
    logs = walk_blocks(action, after) if status is None else walk_chunks(action, status, after)
    async with aclosing(logs):
        async for log in logs:
            yield log


async def walk_back(
    action: BulkAction, status: LogStatus | None, before: int | None
) -> AsyncGenerator[ActionLog, None]:
    """The logs before row `before` (or all), of one status or all, in reverse row order."""
    logs = (
        walk_blocks_back(action, before)
        if status is None
        else walk_chunks_back(action, status, before)
    )
    async with aclosing(logs):
        async for log in logs:
            yield log


async def take(
    logs: AsyncGenerator[ActionLog, None], keep: Callable[[int], bool], limit: int
) -> list[ActionLog]:
    """Up to `limit` logs from the walk, up to the first whose row is not to be kept."""
    found: list[ActionLog] = []
    async with aclosing(logs) as walked:
        async for log in walked:
            if not keep(log.row):
                break
            found.append(log)
            if len(found) == limit:
                break
    return found


def row_cursor(cursor: str) -> int:
    value = decode_cursor("log", cursor)
    # ASCII digits only ("²" is a digit to str.isdigit), and within a 64-bit row number.
    if not (value.isascii() and value.isdigit() and len(value) <= MAX_ROW_DIGITS):
        raise not_a_cursor(cursor)
    return int(value)


async def list_logs(
    principal: Principal,
    action_id: str,
    status: LogStatus | None,
    request: PageRequest,
) -> Page[ActionLog]:
    action = await get_action(principal, action_id, cached_if_ended=True)
    after = row_cursor(request.after) if request.after else 0
    before = row_cursor(request.before) if request.before else None
    more = None
    if request.backward:
        logs = walk_back(action, status, before)
        found = await take(logs, lambda row: row > after, request.size + 1)
    elif status is None and (last := last_row_logged(action)) is not None:
        # Every row is logged up to the last: whether more follow is known without reading
        # the next log (when the page ends a block, a read of the next block for one row).
        logs = walk(action, status, after)
        bound = last if before is None else min(last, before - 1)
        found = await take(logs, lambda row: row <= bound, request.size)
        more = len(found) == request.size and found[-1].row < bound
    else:
        logs = walk(action, status, after)
        found = await take(logs, lambda row: before is None or row < before, request.size + 1)
    # Logs are written before their chunk counts, so the counters give the total cheaply.
    total = (await chunks.progress(action)).of_status(status)
    return page_of(found, request, lambda log: encode_cursor("log", log.row), total, more)


def last_row_logged(action: BulkAction) -> int | None:
    """The last row of a completed action, each of whose rows 1 to it has one log (its
    counts add up to its total); None for an action whose logs may still come or stop short
    (running, cancelled, failed)."""
    if action.status in (BulkActionStatus.COMPLETED, BulkActionStatus.COMPLETED_WITH_ERRORS):
        return action.total
    return None


async def iter_logs(
    principal: Principal, action_id: str, status: LogStatus | None, after: int = 0
) -> AsyncGenerator[ActionLog, None]:
    """Every log of an action in row order, after row `after`."""
    action = await get_action(principal, action_id, cached_if_ended=True)
    async with aclosing(walk(action, status, after)) as logs:
        async for log in logs:
            yield log


async def logs_with_input(
    principal: Principal,
    action: BulkAction,
    status: LogStatus | None,
    with_input: bool,
    after: int = 0,
) -> AsyncGenerator[tuple[ActionLog, list[str]], None]:
    """The action's logs after row `after`, in row order, each with the cells of its input
    row when `with_input` (logs.csv of the failed rows, to correct and retry), else none."""
    async with AsyncExitStack() as stack:
        inputs = await InputCells.open(action, stack) if with_input else None
        found = await stack.enter_async_context(
            aclosing(iter_logs(principal, str(action.id), status, after))
        )
        async for log in found:
            yield log, [] if inputs is None else await inputs.cells(log.row)
