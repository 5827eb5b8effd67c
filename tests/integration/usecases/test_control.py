"""The status an owner sees, and what reading it costs: a dashboard polls it."""

from app.domain.models import BulkActionStatus, ControlRequest
from app.domain.models.ids import saved_id
from app.infra.mongo import controls
from app.infra.redis import keys
from app.infra.redis.client import get_redis
from app.usecases.control import statuses_of
from tests.integration.commands import COUNTER
from tests.integration.factories import stored_action


async def test_requests_are_read_only_where_they_show_and_the_mirror_lacks_them(
    database: None, account: str
) -> None:
    """An ended action's status is its own: no request is read. A running one's comes from
    Redis's mirror; one the mirror lost is read from the database (one query) and put back."""
    ended = await stored_action(account, BulkActionStatus.COMPLETED)
    running = await stored_action(account, BulkActionStatus.PROCESSING)
    await controls.set_request(saved_id(ended), account, ControlRequest.CANCEL)  # too late
    await controls.set_request(saved_id(running), account, ControlRequest.PAUSE)

    with COUNTER.counting() as commands:
        shown = await statuses_of([ended, running])
    assert shown == [BulkActionStatus.COMPLETED, BulkActionStatus.PAUSED]
    assert commands == []

    await get_redis().delete(keys.control_request(str(running.id)))  # the mirror lost it
    with COUNTER.counting() as commands:
        assert await statuses_of([running, ended]) == [
            BulkActionStatus.PAUSED,
            BulkActionStatus.COMPLETED,
        ]
    assert commands == [("find", "action_controls")]
    with COUNTER.counting() as commands:
        assert await statuses_of([running]) == [BulkActionStatus.PAUSED]  # put back
    assert commands == []
