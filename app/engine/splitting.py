"""Splitting a chunk that is larger than its account's limit, so that each part can fit.

Happens when an admin lowers a limit below the size of chunks already planned, or when the
owner of a drip action makes its batches smaller than its chunks. The parts are chunks of their
own ("<chunk>/<n>", `parent` set, their rows stored), each charged and processed alone; the
parent keeps its place in its chain and is done when all its parts are.
"""

import asyncio

from app.domain.models import Chunk
from app.infra.files import chunk_rows
from app.infra.mongo import actions, chunks
from app.infra.redis.tasks import send_chunk
from app.infra.settings import get_settings


def chunk_size_for(limit: int) -> int:
    """Chunks hold at most a share of the limit, so a minute holds several of them."""
    settings = get_settings()
    return max(1, min(settings.chunk_size, limit // settings.chunks_per_window))


async def split(chunk: Chunk, size: int) -> None:
    """Splits the chunk into parts of at most `size` rows, and queues them."""
    action = await actions.get(chunk.action_id)
    rows = None if action is None else await chunk_rows.rows_of(chunk, action)
    if rows is None:
        return
    slices = [rows[start : start + size] for start in range(0, len(rows), size)]
    part_ids = [chunk.part_id(number) for number in range(len(slices))]
    await chunks.store_rows(dict(zip(part_ids, slices, strict=True)))
    # An earlier delivery of the whole chunk may have decided already: the parts use that.
    if (decisions := await chunks.decisions_of(chunk.id)) is not None:
        await chunks.share_decisions(part_ids, decisions)
    await chunks.insert(
        [
            Chunk(
                id=part_id,
                action_id=chunk.action_id,
                account_id=chunk.account_id,
                seq=chunk.seq,
                size=len(part),
                first_row=part[0]["row"],
                last_row=part[-1]["row"],
                parent=chunk.id,
                dry_run=chunk.dry_run,
                dripped=chunk.dripped,
            )
            for part_id, part in zip(part_ids, slices, strict=True)
        ]
    )
    await chunks.set_parts(chunk.id, len(part_ids))
    await asyncio.gather(*(send_chunk(part_id) for part_id in part_ids))


async def parts_of(chunk: Chunk) -> list[Chunk | None]:
    """The chunk's parts in order, one query for all; None where a part is missing."""
    assert chunk.parts is not None
    ids = [chunk.part_id(number) for number in range(chunk.parts)]
    found = await chunks.get_many(ids)
    return [found.get(part_id) for part_id in ids]


async def send_parts(chunk: Chunk) -> None:
    """Queues the parts of a split chunk that are not done (its own message came again)."""
    for part in await parts_of(chunk):
        if part is not None and not part.done:
            await send_chunk(part.id)


async def parts_done(chunk: Chunk) -> bool:
    return all(part is not None and part.done for part in await parts_of(chunk))
