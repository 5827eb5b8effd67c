"""How far planning has written an action's chunks: a hint that spares a chunk just done the
read of its chain's next one.

Planning raises it after each batch of chunks it wrote (app.engine.planning); a chunk just
marked done whose chain's next chunk is at or below it sends that chunk without reading it
(app.engine.completion). It only ever says less than the truth: a lost key (Redis restarted,
or it expired under a drip action that runs for days) means the next chunk is read, as it
always was before.
"""

from app.infra.redis import keys
from app.infra.redis.client import get_redis

# Longer than any but a drip action plans and processes; after it, chunks are read again.
TTL_SECONDS = 24 * 3600


async def wrote_through(action_id: str, seq: int) -> None:
    """Planning has written the action's chunks up to `seq` (in order: one planner at a
    time, by its lease)."""
    await get_redis().set(keys.planned_through(action_id), seq, ex=TTL_SECONDS)


async def written_through(action_id: str) -> int:
    """The last chunk planning is known to have written (-1: none known)."""
    found = await get_redis().get(keys.planned_through(action_id))
    return -1 if found is None else int(found)
