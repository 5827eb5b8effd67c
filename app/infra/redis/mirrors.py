"""What the workers keep in Redis of what the database holds, to spare a database read per
chunk. Each is a hint that only ever errs on the safe side, or a copy with a stated
staleness; a lost key (Redis restarted) is read from the database again.

How far planning has written an action's chunks (`wrote_through`): planning raises it after
each batch of chunks it wrote (app.engine.planning); a chunk just marked done whose chain's
next chunk is at or below it sends that chunk without reading it, and one whose next chunk
is past the chunk count (`planned`) reads none (app.engine.completion). It only ever says
less than the truth: without it (Redis restarted, or it expired under a drip action that
runs for days) the next chunk is read, as it always was before.

Which of an action's chains have ended (`chain_ended`), so that the chunk that ends the last
of them, and no other, reads the action's chunks to see it complete (app.engine.completion):
a chunk marked done whose chain has no next chunk notes its `seq` in a set, and one script
call tells it, with the action's chunk count once planning has set it (`planned`, after the
database), whether the last chunk of every chain is noted. Chunks are marked done in the
database before they are noted, so the chunk whose note completes the set finds every chunk
done there; another chain's end reads nothing. A tally that cannot tell (no count: planning
is at work, or Redis lost it) says to look, and planning looks when it ends. Notes lost with
Redis leave the action to the sweeper, which restarts it after STALL_SECONDS without life;
its planner looks.

The owner's request (run, pause, cancel) for an action, which the workers read before each of
its chunks (`mirrored_request`): the database's ActionControl stays the record;
app.infra.mongo.controls writes it first and then the mirror, and reads a missing entry from
it and puts it back (SET NX, so a request written meanwhile is never overwritten by what was
read before it). Every entry lives `REQUEST_SECONDS`, which bounds how long it can be wrong:
only if the API died between its two writes while a worker put back what it had read before
the first.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from app.domain.status import ControlRequest
from app.infra.redis import keys
from app.infra.redis.client import get_redis, script

# Longer than any but a drip action plans and processes; after it, chunks are read again.
PLANNED_SECONDS = 24 * 3600
REQUEST_SECONDS = 60


async def wrote_through(action_id: str, seq: int) -> None:
    """Planning has written the action's chunks up to `seq` (in order: one planner at a
    time, by its lease)."""
    await get_redis().set(keys.planned_through(action_id), seq, ex=PLANNED_SECONDS)


@dataclass(frozen=True)
class Progress:
    """How far planning is known to have written an action's chunks."""

    through: int  # the last chunk known written (-1: none known)
    chunks_total: int | None  # all of them, once planning has set it (`planned`)


async def planning_progress(action_id: str) -> Progress:
    """Planning's hint and the chunk count, with one round trip."""
    names = [keys.planned_through(action_id), keys.chunk_count(action_id)]
    through, total = await get_redis().mget(names)
    return Progress(-1 if through is None else int(through), None if total is None else int(total))


@dataclass(frozen=True)
class Tally:
    """What a chain's end is told of the action's chains."""

    chunks_total: int | None  # None: not known here
    all_ended: bool

    @property
    def maybe_complete(self) -> bool:
        """Whether the action's chunks are to be read: every chain ended, or not known."""
        return self.all_ended or self.chunks_total is None


async def chain_ended(action_id: str, seq: int, chains: int) -> Tally:
    """Notes that chunk `seq` is done and its chain (of `chains`) has no next chunk."""
    names = [keys.chain_ends(action_id), keys.chunk_count(action_id)]
    total, ended = await script("chain_ends")(keys=names, args=[seq, chains, PLANNED_SECONDS])
    return Tally(None if int(total) < 0 else int(total), bool(int(ended)))


async def planned(action_id: str, chunks_total: int) -> None:
    """Planning has set the action's chunk count in the database."""
    await get_redis().set(keys.chunk_count(action_id), chunks_total, ex=PLANNED_SECONDS)


async def forget_chains(action_id: str) -> None:
    await get_redis().delete(keys.chain_ends(action_id), keys.chunk_count(action_id))


async def mirrored_request(action_id: str) -> ControlRequest | None:
    """The owner's request the mirror holds for the action (None: none held)."""
    found = await get_redis().get(keys.control_request(action_id))
    return None if found is None else ControlRequest(str(found))  # decoded: a str


async def mirrored_requests(action_ids: Sequence[str]) -> list[ControlRequest | None]:
    """The requests the mirror holds for each of the actions, with one round trip."""
    if not action_ids:
        return []
    # One GET each, pipelined: the actions' keys hash to different slots on a cluster.
    async with get_redis().pipeline(transaction=False) as pipe:
        for action_id in action_ids:
            pipe.get(keys.control_request(action_id))
        found = await pipe.execute()
    return [None if value is None else ControlRequest(str(value)) for value in found]


async def mirror_request(action_id: str, request: ControlRequest) -> None:
    """The owner's request just written to the database."""
    await get_redis().set(keys.control_request(action_id), str(request), ex=REQUEST_SECONDS)


async def put_back_request(action_id: str, request: ControlRequest) -> None:
    """A request read from the database, unless one was mirrored since."""
    await put_back_requests({action_id: request})


async def put_back_requests(requests: Mapping[str, ControlRequest]) -> None:
    """Requests read from the database (by action id), each unless one was mirrored since."""
    async with get_redis().pipeline(transaction=False) as pipe:
        for action_id, request in requests.items():
            pipe.set(keys.control_request(action_id), str(request), ex=REQUEST_SECONDS, nx=True)
        await pipe.execute()
