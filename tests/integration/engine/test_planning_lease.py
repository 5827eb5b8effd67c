"""A planner that died holding the planning lease delays the next one by seconds, not minutes:
the lease lives as long as its holder's heartbeat, and a planner message that finds it held
comes back when it runs out instead of giving up."""

import pytest

from app.domain.models import BulkAction, BulkActionStatus
from app.engine.deferral import ComeBackLater
from app.engine.planning import plan_action
from app.infra.redis import keys, lease
from app.infra.redis.client import get_redis
from tests.integration.factories import queued_action


async def test_a_planner_finding_the_lease_held_comes_back_when_it_runs_out(
    database: None, account: str
) -> None:
    action = await queued_action(account)
    name = keys.planning_lease(str(action.id))
    # A planner of another process took the lease and died: only its expiry frees it.
    await get_redis().set(name, "a-dead-process", px=lease.kept_ms())
    with pytest.raises(ComeBackLater) as later:
        await plan_action(str(action.id))
    assert 0 < later.value.wait_ms <= lease.kept_ms() + 100

    await get_redis().delete(name)  # as it expires
    await plan_action(str(action.id))
    planned = await BulkAction.get(action.id)
    # Planned: the suite's worker may already have run its one chunk by the time we look.
    assert planned is not None
    assert planned.status in (BulkActionStatus.PROCESSING, BulkActionStatus.COMPLETED)
    assert (planned.total, planned.chunks_total) == (2, 1)
    assert await lease.remaining_ms(name) == 0  # given back when planning ended
