"""Ending an action when its last chunk is done, with the tally of ended chains lost."""

from app.domain.models import BulkAction, BulkActionStatus
from app.engine import planning, processing
from app.infra.redis import keys
from app.infra.redis.client import get_redis
from tests.integration.factories import chain_successor, insert_rows, processing_action


async def test_an_action_whose_ended_chains_redis_lost_is_ended_by_its_planner(
    database: None, account: str
) -> None:
    """Redis lost the notes of chains that ended (a restart without its data): the chunk that
    ends the last chain is not told to look, and the action stays PROCESSING until its planner
    runs (the sweeper sends it once the action shows no life for STALL_SECONDS), which looks
    and ends it."""
    action, chunk = await processing_action(
        account, "CONTACT", "INSERT", insert_rows(["first@example.com"])
    )
    (last,) = insert_rows(["last@example.com"])
    other = await chain_successor(chunk, seq=1, rows=[{**last, "row": 2}])
    await processing.process_chunk(other.id)
    await get_redis().delete(keys.chain_ends(str(action.id)))
    await processing.process_chunk(chunk.id)
    assert await status_of(action) is BulkActionStatus.PROCESSING

    await planning.plan_action(str(action.id))

    assert await status_of(action) is BulkActionStatus.COMPLETED


async def status_of(action: BulkAction) -> BulkActionStatus:
    found = await BulkAction.get(action.id)
    assert found is not None
    return found.status
