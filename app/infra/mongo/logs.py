"""The logs store: every read and write of an action's per-row logs, kept in blocks of
consecutive rows (app.domain.models.action_log), so a page of logs is a few equality reads."""

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime

from beanie import PydanticObjectId

from app.domain.models.action_log import ActionLog, LogBlock, LogStatus, block_of, read_rows
from app.infra.mongo.db import insert_new


async def store(documents: Iterable[dict[str, object]]) -> None:
    """Stores a chunk's log blocks; rows an earlier delivery logged keep their first log."""
    await insert_new(LogBlock.get_pymongo_collection(), list(documents))


async def read_block(
    action_id: PydanticObjectId, block: int, after: int = 0
) -> Iterator[ActionLog]:
    """The logged rows of one block after row `after`, in row order: one equality read. Each
    is made as it is taken, so a page that is full makes no more of them."""
    cursor = LogBlock.get_pymongo_collection().find({"action_id": action_id, "block": block})
    return read_rows(await cursor.to_list(), after)


async def read_chunk(action_id: PydanticObjectId, seq: int, status: LogStatus) -> list[ActionLog]:
    """The logged rows of one status of a chunk (and of its parts), in row order."""
    cursor = LogBlock.get_pymongo_collection().find(
        {"action_id": action_id, "seq": seq, "status": str(status)}
    )
    return list(read_rows(await cursor.to_list()))


async def read_rows_of(action_id: PydanticObjectId, rows: Sequence[int]) -> list[ActionLog]:
    """The logged rows among `rows`, read block by block."""
    wanted = set(rows)
    found: list[ActionLog] = []
    for block in sorted({block_of(row) for row in rows}):
        found.extend(log for log in await read_block(action_id, block) if log.row in wanted)
    return found


async def delete_expired(now: datetime) -> int:
    """Logs past LOG_RETENTION_DAYS. mongod's TTL index does it too; FerretDB v1 has none."""
    result = await LogBlock.get_pymongo_collection().delete_many({"expires_at": {"$lt": now}})
    return result.deleted_count
