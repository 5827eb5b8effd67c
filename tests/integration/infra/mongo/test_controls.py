"""The owner's requests are read through a mirror in Redis (app.infra.redis.mirrors):
the workers read it before every chunk without a database read, a request written is seen at
once, and what a reader put back never hides a request written while it read."""

import pytest
from beanie import PydanticObjectId

from app.domain.models.action_control import ActionControl
from app.domain.status import ControlRequest
from app.infra.mongo import controls
from app.infra.redis import keys
from app.infra.redis.client import get_redis
from tests.integration.commands import COUNTER


async def test_a_request_is_read_from_the_record_once_then_from_the_mirror(
    database: None, account: str
) -> None:
    action_id = PydanticObjectId()
    with COUNTER.counting() as first:
        assert await controls.request_of(action_id) is ControlRequest.RUN
    with COUNTER.counting() as then:
        assert await controls.request_of(action_id) is ControlRequest.RUN
    assert (first, then) == ([("find", "action_controls")], [])
    await controls.set_request(action_id, account, ControlRequest.PAUSE)
    with COUNTER.counting() as after_write:
        assert await controls.request_of(action_id) is ControlRequest.PAUSE
    assert after_write == []


async def test_a_lost_mirror_is_read_from_the_record_again(database: None, account: str) -> None:
    action_id = PydanticObjectId()
    await controls.set_request(action_id, account, ControlRequest.CANCEL)
    await get_redis().delete(keys.control_request(str(action_id)))  # Redis restarted
    assert await controls.request_of(action_id) is ControlRequest.CANCEL


async def test_a_request_written_while_a_reader_reads_the_record_is_not_hidden(
    database: None, account: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker reads the record (RUN); the owner's pause is written and mirrored; the worker
    then puts back what it read: the mirror keeps the pause."""
    action_id = PydanticObjectId()
    get = ActionControl.get

    async def read_then_paused(document_id: PydanticObjectId) -> ActionControl | None:
        found = await get(document_id)
        await controls.set_request(action_id, account, ControlRequest.PAUSE)
        return found

    monkeypatch.setattr(ActionControl, "get", read_then_paused)
    assert await controls.request_of(action_id) is ControlRequest.RUN  # as it was read
    monkeypatch.setattr(ActionControl, "get", get)
    assert await controls.request_of(action_id) is ControlRequest.PAUSE
