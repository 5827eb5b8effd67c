"""The owners' requests (run, pause, cancel) mirrored in Redis, for the workers, which read
an action's before each of its chunks: a Redis GET where it was a database read per chunk.

The database's ActionControl stays the record: app.infra.mongo.controls writes it first and
then the mirror, and reads a missing entry from it and puts it back (SET NX, so a request
written meanwhile is never overwritten by what was read before it). Every entry lives
`MIRROR_SECONDS`, which bounds how long it can be wrong: only if the API died between its
two writes while a worker put back what it had read before the first.
"""

from app.domain.status import ControlRequest
from app.infra.redis import keys
from app.infra.redis.client import get_redis

MIRROR_SECONDS = 60


async def mirrored(action_id: str) -> ControlRequest | None:
    """The request the mirror holds for the action (None: none held)."""
    found = await get_redis().get(keys.control_request(action_id))
    return None if found is None else ControlRequest(str(found))  # decoded: a str


async def mirror(action_id: str, request: ControlRequest) -> None:
    """The owner's request just written to the database."""
    await get_redis().set(keys.control_request(action_id), str(request), ex=MIRROR_SECONDS)


async def put_back(action_id: str, request: ControlRequest) -> None:
    """A request read from the database, unless one was mirrored since."""
    await get_redis().set(keys.control_request(action_id), str(request), ex=MIRROR_SECONDS, nx=True)
