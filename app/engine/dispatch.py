"""Which chunks of an action are queued: at most `chunks_in_flight` at a time.

Chunk `seq` is queued when it is among the first N of its action or when chunk `seq - N` is
done: N chains, each queueing its next chunk as it finishes. No shared counter is needed (so
nothing for FerretDB to lose), another account's work waits behind at most N chunks per
running action, and an action's rate-limited chunks are few, so waiting costs little.

Planning checks the predecessor after writing a chunk; a finishing chunk checks its successor
after marking itself done; one of the two always sees the other, and often both do: the
first to take the chunk's send mark (Redis, SET NX) sends it. A chunk sent twice would be
harmless (processing is idempotent) but costly: two deliveries at once both do all its work.
The delivery that marks a chunk done queues its successor, and so does a later delivery
that finds it done (the one that marked it may have died before it could), which a dead
worker's returning messages are. Restarting the chains (`send_ready`) sends regardless.
"""

from beanie import PydanticObjectId

from app.domain.models import Chunk
from app.infra.mongo import chunks
from app.infra.redis import keys, lease
from app.infra.redis.tasks import send_chunk
from app.infra.settings import get_settings


def in_flight() -> int:
    return get_settings().chunks_in_flight


# How long a chunk's send mark stays: far longer than planning and a finishing chunk take
# to see each other, short enough that a sender that died between the mark and the send
# holds nothing up for long.
SEND_MARK_MS = 60_000


async def send_once(chunk_id: str) -> None:
    """Sends the chunk unless planning or its predecessor sent it already."""
    if await lease.take(keys.chunk_sent(chunk_id), SEND_MARK_MS):
        await send_chunk(chunk_id)


async def after_planned(chunk: Chunk) -> None:
    """Queues a newly written chunk if its chain has reached it."""
    if chunk.seq >= in_flight():
        before = await chunks.get(Chunk.id_for(chunk.action_id, chunk.seq - in_flight()))
        if before is None or not before.done:
            return
    await send_once(chunk.id)


async def after_done(chunk: Chunk) -> bool:
    """Queues the next chunk of this chunk's chain, if planning has written it; True when
    it did (that chunk is not done)."""
    following = await chunks.get(Chunk.id_for(chunk.action_id, chunk.seq + in_flight()))
    if following is None or following.done:
        return False
    await send_once(following.id)
    return True


async def send_ready(action_id: PydanticObjectId, *, again: bool = True) -> int:
    """Queues every chunk its chain has reached but that is not done: restarts the chains
    after a pause, a lost message or a dead worker (`again`: also those sent before; without
    it, only those not sent lately). Returns how many it sent."""
    done = await chunks.chains_of(action_id)
    n = in_flight()
    ready = [seq for seq, is_done in done.items() if not is_done and (seq < n or done.get(seq - n))]
    for seq in sorted(ready):
        if again:
            await send_chunk(Chunk.id_for(action_id, seq))
        else:
            await send_once(Chunk.id_for(action_id, seq))
    return len(ready)
