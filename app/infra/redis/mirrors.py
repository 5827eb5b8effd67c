"""What the workers keep in Redis of what the database holds, to spare a database read per
chunk. Each is a hint that only ever errs on the safe side, or a copy with a stated
staleness; a lost key (Redis restarted) is read from the database again.

How far planning has written an action's chunks (`wrote_through`): planning raises it after
each batch of chunks it wrote (app.engine.planning); a chunk just marked done whose chain's
next chunk is at or below it sends that chunk without reading it (app.engine.completion). It
only ever says less than the truth: without it (Redis restarted, or it expired under a drip
action that runs for days) the next chunk is read, as it always was before.

The owner's request (run, pause, cancel) for an action, which the workers read before each of
its chunks (`mirrored_request`): the database's ActionControl stays the record;
app.infra.mongo.controls writes it first and then the mirror, and reads a missing entry from
it and puts it back (SET NX, so a request written meanwhile is never overwritten by what was
read before it). Every entry lives `REQUEST_SECONDS`, which bounds how long it can be wrong:
only if the API died between its two writes while a worker put back what it had read before
the first.
"""

from app.domain.status import ControlRequest
from app.infra.redis import keys
from app.infra.redis.client import get_redis

# Longer than any but a drip action plans and processes; after it, chunks are read again.
PLANNED_SECONDS = 24 * 3600
REQUEST_SECONDS = 60


async def wrote_through(action_id: str, seq: int) -> None:
    """Planning has written the action's chunks up to `seq` (in order: one planner at a
    time, by its lease)."""
    await get_redis().set(keys.planned_through(action_id), seq, ex=PLANNED_SECONDS)


async def written_through(action_id: str) -> int:
    """The last chunk planning is known to have written (-1: none known)."""
    found = await get_redis().get(keys.planned_through(action_id))
    return -1 if found is None else int(found)


async def mirrored_request(action_id: str) -> ControlRequest | None:
    """The owner's request the mirror holds for the action (None: none held)."""
    found = await get_redis().get(keys.control_request(action_id))
    return None if found is None else ControlRequest(str(found))  # decoded: a str


async def mirror_request(action_id: str, request: ControlRequest) -> None:
    """The owner's request just written to the database."""
    await get_redis().set(keys.control_request(action_id), str(request), ex=REQUEST_SECONDS)


async def put_back_request(action_id: str, request: ControlRequest) -> None:
    """A request read from the database, unless one was mirrored since."""
    name = keys.control_request(action_id)
    await get_redis().set(name, str(request), ex=REQUEST_SECONDS, nx=True)
