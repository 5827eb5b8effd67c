"""Reading an action's logs in row order: pages behind a row cursor, and the whole export.

Logs are stored in blocks of consecutive rows, split by status (app.domain.models.action_log).
A page of every status walks blocks from the cursor on, each one equality read; where blocks
hold nothing yet (a part of the action not processed), it asks the chunks where the next logs
are instead of reading empty blocks one by one. A page of one status asks the chunks which of
them have rows of it (their counts say) and reads only those rows.
"""

from collections.abc import AsyncGenerator
from contextlib import aclosing
from typing import Any

from beanie import PydanticObjectId

from app.domain.errors import BadUserInput
from app.domain.models import ActionLog, BulkAction, Chunk, LogStatus
from app.domain.models.action_log import BLOCK_ROWS, block_of, read_block, read_chunk
from app.domain.models.ids import saved_id
from app.domain.principal import Principal
from app.domain.progress import counters_of
from app.usecases.pagination import Page, decode_cursor, encode_cursor, page_size
from app.usecases.queries import get_action

# The columns of logs.csv, before the input columns that the failed rows' export adds.
LOG_CSV_COLUMNS = ("row", "entity_id", "status", "reason", "message", "at")
MAX_ROW_DIGITS = 18
# Blocks read in a row without a log for the reader before it asks the chunks for the next.
FRUITLESS_BLOCKS = 2
# Chunks with logs of the wanted status that one query finds, to be read one by one.
CHUNKS_PER_QUERY = 20


async def next_logged_row(action_id: PydanticObjectId, after: int) -> int | None:
    """The first row after `after` of a done chunk, if any."""
    found = (
        await Chunk.get_pymongo_collection()
        .find(
            {"action_id": action_id, "done": True, "last_row": {"$gt": after}},
            {"_id": 0, "first_row": 1},
        )
        .sort("last_row", 1)
        .limit(1)
        .to_list()
    )
    return max(found[0]["first_row"], after + 1) if found else None


async def walk_blocks(action: BulkAction, after: int) -> AsyncGenerator[ActionLog, None]:
    """Every log after row `after` in row order, as far as they are written."""
    action_id = saved_id(action)
    block = block_of(after + 1)
    last_block = block_of(action.total) if action.total is not None else None
    fruitless = 0
    while last_block is None or block <= last_block:
        logs = [log for log in await read_block(action_id, block) if log.row > after]
        for log in logs:
            yield log
        fruitless = 0 if logs else fruitless + 1
        block += 1
        if fruitless >= FRUITLESS_BLOCKS:
            following = await next_logged_row(action_id, block * BLOCK_ROWS)
            if following is None:
                return
            block, fruitless = max(block, block_of(following)), 0


async def chunks_with(
    action_id: PydanticObjectId, status: LogStatus, after: int
) -> list[dict[str, Any]]:
    """The next done chunks (or parts) after row `after` that have rows of this status."""
    query = {"action_id": action_id, "statuses": str(status), "last_row": {"$gt": after}}
    cursor = Chunk.get_pymongo_collection().find(query, {"_id": 0, "seq": 1, "last_row": 1})
    return await cursor.sort("last_row", 1).limit(CHUNKS_PER_QUERY).to_list()


async def walk_chunks(
    action: BulkAction, status: LogStatus, after: int
) -> AsyncGenerator[ActionLog, None]:
    """The logs of one status after row `after` in row order, read from the chunks whose
    counts say they have some: rows of other statuses are never read."""
    action_id = saved_id(action)
    while found := await chunks_with(action_id, status, after):
        floor, read = after, set()
        for chunk in found:
            if chunk["seq"] in read:
                continue  # a part of a split chunk: the chunk's read gave every part's rows
            read.add(chunk["seq"])
            for log in await read_chunk(action_id, chunk["seq"], status):
                if log.row > floor:
                    yield log
                    after = max(after, log.row)
        after = max(after, found[-1]["last_row"])


async def walk(
    action: BulkAction, status: LogStatus | None, after: int
) -> AsyncGenerator[ActionLog, None]:
    """The logs after row `after`, of one status or all, in row order."""
    logs = walk_blocks(action, after) if status is None else walk_chunks(action, status, after)
    async with aclosing(logs):
        async for log in logs:
            yield log


async def logs_after(
    action: BulkAction, status: LogStatus | None, after: int, limit: int
) -> list[ActionLog]:
    """Up to `limit` logs of rows after row `after`, in row order."""
    found: list[ActionLog] = []
    async with aclosing(walk(action, status, after)) as logs:
        async for log in logs:
            found.append(log)
            if len(found) == limit:
                break
    return found


def row_cursor(after: str) -> int:
    value = decode_cursor("log", after)
    # ASCII digits only ("²" is a digit to str.isdigit), and within a 64-bit row number.
    if not (value.isascii() and value.isdigit() and len(value) <= MAX_ROW_DIGITS):
        raise BadUserInput(f"`after` is not a cursor of this list: {after!r}.")
    return int(value)


async def list_logs(
    principal: Principal,
    action_id: str,
    status: LogStatus | None,
    first: int | None,
    after: str | None,
) -> Page[ActionLog]:
    action = await get_action(principal, action_id)
    size = page_size(first)
    found = await logs_after(action, status, row_cursor(after) if after else 0, size + 1)
    items = [(encode_cursor("log", log.row), log) for log in found[:size]]
    # Logs are written before their chunk counts, so the counters give the total cheaply.
    total = (await counters_of(action)).of_status(status)
    return Page(
        items=items,
        has_next_page=len(found) > size,
        has_previous_page=after is not None,
        total_count=total,
    )


async def iter_logs(
    principal: Principal, action_id: str, status: LogStatus | None
) -> AsyncGenerator[ActionLog, None]:
    """Every log of an action in row order."""
    action = await get_action(principal, action_id)
    async with aclosing(walk(action, status, 0)) as logs:
        async for log in logs:
            yield log
