"""The sweeper: MongoDB is the source of truth for what should be running.

Every few seconds one worker process (whichever takes the sweep lease) looks for actions that
should be moving but have no message to move them: a scheduled action whose time has come but
whose delayed message was lost (Redis restarted, worker killed while holding it), and a queued
or running action with no sign of life (see liveness). It sends each a planner message, which
is idempotent: it starts, plans or re-queues only what is missing. It announces to webhooks
the moves whose mover died before it could (app.engine.webhooks). Every few minutes it also
deletes what retention lets go (app.engine.retention).

At rest it costs a query or two a sweep: the due and the running actions are one query.
"""

from contextlib import aclosing
from datetime import timedelta

from beanie import PydanticObjectId

from app.domain.clock import utcnow
from app.engine import retention, webhooks
from app.infra.mongo import actions, controls, inputs
from app.infra.redis import keys, lease, liveness
from app.infra.redis.tasks import send_planner
from app.infra.settings import get_settings

# The delayed message normally starts a scheduled action on time; the sweeper steps in after.
MESSAGE_GRACE = timedelta(seconds=2)
# Missed announcements wait ANNOUNCE_GRACE (30 s) for their mover first: looking every few
# seconds would find them no sooner than this.
ANNOUNCE_EVERY = timedelta(seconds=10)
# Input with no action is an orphan once no create could still be storing it.
ORPHAN_AGE = timedelta(hours=1)
ORPHAN_PAGE = 1000


async def stalled(running: list[PydanticObjectId]) -> list[PydanticObjectId]:
    """Of the running actions, those without life and not paused."""
    lifeless = await without_life(running)
    if not lifeless:
        return []
    paused = await controls.paused()
    return [action_id for action_id in lifeless if action_id not in paused]


async def without_life(action_ids: list[PydanticObjectId]) -> list[PydanticObjectId]:
    alive = await liveness.alive([str(action_id) for action_id in action_ids])
    return [action_id for action_id in action_ids if str(action_id) not in alive]


async def sweep() -> list[PydanticObjectId]:
    """One sweep, if no other process swept within the interval; returns the actions woken."""
    interval_ms = int(get_settings().sweep_interval_seconds * 1000)
    if not await lease.take(keys.sweeper_lease(), interval_ms):
        return []
    watched = await actions.to_watch(utcnow() - MESSAGE_GRACE)
    woken = [*await without_life(watched.due), *await stalled(watched.running)]
    for action_id in woken:
        # Also marks it alive: one wake-up per stall period, not one per sweep.
        await send_planner(str(action_id))
    if await lease.take(keys.announcing_lease(), int(ANNOUNCE_EVERY.total_seconds() * 1000)):
        await webhooks.announce_missed()
    every_ms = int(get_settings().retention_sweep_seconds * 1000)
    if await lease.take(keys.retention_lease(), every_ms):
        await delete_orphaned_input()
        await retention.sweep()
    return woken


async def delete_orphaned_input(older_than: timedelta | None = None) -> int:
    """Deletes stored input whose action was never stored: a create that died between its
    two writes. Only input older than ORPHAN_AGE, which no create still at work can own.
    Returns how many batches it deleted."""
    before = utcnow() - (older_than or ORPHAN_AGE)
    deleted = 0
    async with aclosing(inputs.owners_before(before, ORPHAN_PAGE)) as pages:
        async for owners in pages:
            if dead := sorted(owners - await actions.existing(list(owners))):
                deleted += await inputs.delete_before(dead, before)
    return deleted
