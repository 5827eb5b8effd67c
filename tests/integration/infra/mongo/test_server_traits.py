"""The stores take the same decisions (and read the same bytes) on either path of a server
trait: the natural one that mongod gets, and the one FerretDB v1 needs. Run here on FerretDB
with each path forced (the paths that FerretDB answers correctly one request at a time)."""

from collections.abc import AsyncIterator

import pytest

from app.domain.clock import utcnow
from app.domain.models import BulkAction, BulkActionStatus
from app.domain.models.ids import saved_id
from app.domain.status import PLANNABLE
from app.engine.lifecycle import transition
from app.infra.files import uploads
from app.infra.mongo import actions, db
from tests.integration.factories import queued_action


@pytest.fixture(params=["mongod", "ferretdb"])
def traits(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> db.ServerTraits:
    chosen = db.MONGOD if request.param == "mongod" else db.FERRETDB_V1
    monkeypatch.setattr(db, "_traits", chosen)
    return chosen


@pytest.fixture
async def action(database: None, account: str) -> AsyncIterator[BulkAction]:
    """A queued action (alive: the suite's sweeper leaves it be), ended after the test, so
    that nothing ever runs its rows."""
    queued = await queued_action(account)
    yield queued
    await transition(saved_id(queued), BulkActionStatus.FAILED, finished_at=utcnow())


async def test_a_conditional_update_says_whether_it_held(
    action: BulkAction, traits: db.ServerTraits
) -> None:
    changed, now = await actions.update_if(
        saved_id(action), {"status": str(BulkActionStatus.QUEUED)}, {"error": "first"}
    )
    assert changed and now is not None and now.error == "first"
    changed, now = await actions.update_if(
        saved_id(action), {"status": str(BulkActionStatus.PROCESSING)}, {"error": "second"}
    )
    assert not changed and now is not None and now.error == "first"


async def test_a_move_is_made_once_and_confirmed_on_repeat(
    action: BulkAction, traits: db.ServerTraits
) -> None:
    moved = await transition(saved_id(action), BulkActionStatus.PROCESSING)
    assert moved is not None and moved.status is BulkActionStatus.PROCESSING
    again = await transition(saved_id(action), BulkActionStatus.PROCESSING)
    assert again is not None and again.status is BulkActionStatus.PROCESSING
    # A move whose source no longer holds is not made, and says so.
    assert await transition(saved_id(action), BulkActionStatus.FAILED, only_from=PLANNABLE) is None


async def test_a_byte_range_of_an_upload_reads_the_same(
    database: None, account: str, traits: db.ServerTraits
) -> None:
    """A chunk's rows from its upload: the natural `$in` on mongod, equalities on FerretDB."""
    data = bytes(range(256)) * 2500  # 640,000 bytes: three GridFS chunks

    async def body() -> AsyncIterator[bytes]:
        yield data

    stored = await uploads.store(account, "bytes.bin", body())
    chunk = uploads.CHUNK_BYTES
    for start, end in [(0, 10), (chunk - 5, chunk + 5), (100, 2 * chunk + 7), (600_000, len(data))]:
        assert await uploads.read_range(stored.id, start, end) == data[start:end]
    await uploads.delete(stored.id)
    assert await uploads.read_range(stored.id, 0, 10) is None  # gone with retention
