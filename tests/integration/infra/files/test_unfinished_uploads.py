"""An upload cut short keeps nothing, however it ends: refused or failed (its store deletes
what it wrote), its API process killed mid-way (retention deletes what it left, once it can
no longer be under way), or taking longer than MAX_UPLOAD_SECONDS (refused, 408)."""

import asyncio
import os
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from typing import Any

import httpx
import pytest
from bson import ObjectId
from pymongo.errors import AutoReconnect

from app.domain.clock import utcnow
from app.engine import retention
from app.infra import outages
from app.infra.auth import issue_token
from app.infra.files import unfinished, uploads, writing
from app.infra.mongo import db
from app.infra.settings import get_settings
from tests.integration import factories
from tests.integration.conftest import own_api
from tests.integration.faults import Link
from tests.support.polling import until
from tests.support.processes import kill

PIECE = 100_000
HEADER = b"email,first_name\n"


def rows(count: int, start: int = 0) -> bytes:
    return b"".join(b"p%d@example.com,P\n" % n for n in range(start, start + count))


def pieces(data: bytes) -> AsyncIterator[bytes]:
    return factories.pieces(data, PIECE)


async def stored_of(upload_id: ObjectId) -> dict[str, int]:
    """What the database holds of an upload: its file document, chunks and note."""
    database = db.current_database()
    return {
        "files": await database["uploads.files"].count_documents({"_id": upload_id}),
        "chunks": await database["uploads.chunks"].count_documents({"files_id": upload_id}),
        "notes": await unfinished.notes().count_documents({"_id": upload_id}),
    }


NOTHING = {"files": 0, "chunks": 0, "notes": 0}


async def note_of(account: str) -> ObjectId | None:
    found = await unfinished.notes().find_one({"account_id": account})
    return None if found is None else found["_id"]


def after_the_limit(seconds: float = 1) -> Any:
    """A time at which an upload started now is past its limit and retention's grace."""
    limit = timedelta(seconds=get_settings().max_upload_seconds)
    return utcnow() + limit + retention.UNFINISHED_GRACE + timedelta(seconds=seconds)


async def test_what_a_killed_api_process_stored_of_an_upload_is_deleted_by_retention(
    database: None, account: str
) -> None:
    with own_api("upload-killed") as (url, api):
        stalled = asyncio.Event()

        async def body() -> AsyncIterator[bytes]:
            async for piece in pieces(HEADER + rows(100_000)):  # 2 MB: eight GridFS chunks
                yield piece
            await stalled.wait()  # set once the process is dead

        async with httpx.AsyncClient(base_url=url, timeout=60) as client:
            headers = {"authorization": f"Bearer {issue_token(account)}"}
            sending = asyncio.create_task(client.post("/uploads", content=body(), headers=headers))
            upload_id = await until(lambda: note_of(account), "the upload's note")

            async def some_chunks() -> bool:
                return (await stored_of(upload_id))["chunks"] >= writing.CHUNKS_PER_INSERT

            # Stored as they come (not held whole, as GridFS's own writer holds 48 MB).
            await until(some_chunks, "chunks stored")
            kill(api, api.pid)
            api.wait()
            stalled.set()
            with pytest.raises(httpx.TransportError):
                await asyncio.wait_for(sending, 60)

    left = await stored_of(upload_id)
    assert left["files"] == 0 and left["chunks"] >= writing.CHUNKS_PER_INSERT and left["notes"] == 1
    swept = await retention.sweep()  # too soon: it could still be under way
    assert swept.unfinished_uploads == 0 and await stored_of(upload_id) == left
    swept = await retention.sweep(after_the_limit())
    assert swept.unfinished_uploads == 1
    assert await stored_of(upload_id) == NOTHING


async def test_a_whole_upload_leaves_no_note_and_retention_keeps_it(
    database: None, account: str
) -> None:
    stored = await uploads.store(account, "whole.csv", pieces(HEADER + rows(100)))
    upload_id = ObjectId(stored.id)
    assert await stored_of(upload_id) == {"files": 1, "chunks": 1, "notes": 0}
    await retention.delete_unfinished_uploads(after_the_limit())
    assert (await uploads.find(account, stored.id)).rows == 100


async def test_an_upload_refused_mid_way_keeps_nothing(
    database: None, account: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings(), "max_upload_rows", 1000)
    with pytest.raises(uploads.PayloadTooLarge):
        await uploads.store(account, "long.csv", pieces(HEADER + rows(20_000)))
    assert await note_of(account) is None
    # Nothing of the account's upload anywhere: no chunk without its file either.
    assert (
        await db.current_database()["uploads.files"].count_documents(
            {"metadata.account_id": account}
        )
        == 0
    )


async def test_an_upload_taking_longer_than_its_limit_is_refused_and_kept_nowhere(
    database: None, account: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings(), "max_upload_seconds", 0.5)
    seen: list[ObjectId] = []

    async def slow() -> AsyncIterator[bytes]:
        yield HEADER + rows(20_000)
        seen.append(await until(lambda: note_of(account), "the upload's note"))
        await asyncio.sleep(1)
        yield rows(10, 20_000)

    with pytest.raises(uploads.UploadTooSlow) as refused:
        await uploads.store(account, "slow.csv", slow())
    assert refused.value.extensions == {"code": "REQUEST_TIMEOUT", "limit": 0.5}
    assert await stored_of(seen[0]) == NOTHING


async def test_an_upload_that_outlived_its_time_while_retention_took_it_keeps_nothing(
    database: None, account: str
) -> None:
    """Its store was slower than its limit, but no byte arrived late enough to tell: it
    finds at its end that retention took it, and keeps nothing."""
    seen: list[ObjectId] = []

    async def overtaken() -> AsyncIterator[bytes]:
        yield HEADER + rows(20_000)
        seen.append(await until(lambda: note_of(account), "the upload's note"))
        assert await retention.delete_unfinished_uploads(after_the_limit()) >= 1
        yield rows(10, 20_000)

    with pytest.raises(uploads.UploadTooSlow):
        await uploads.store(account, "overtaken.csv", overtaken())
    assert await stored_of(seen[0]) == NOTHING


async def test_an_upload_over_its_time_is_a_408_over_rest(database: None, account: str) -> None:
    with own_api("upload-slow", MAX_UPLOAD_SECONDS="1") as (url, _):

        async def slow() -> AsyncIterator[bytes]:
            yield HEADER + rows(100)
            await asyncio.sleep(1.5)
            yield rows(10, 100)

        async with httpx.AsyncClient(base_url=url, timeout=60) as client:
            headers = {"authorization": f"Bearer {issue_token(account)}"}
            answer = await client.post("/uploads", content=slow(), headers=headers)
        assert answer.status_code == 408, answer.text
        assert answer.json()["error"]["code"] == "REQUEST_TIMEOUT"
        assert await note_of(account) is None


@pytest.mark.slow(2)
async def test_an_upload_rides_out_a_database_restart_and_keeps_every_row(
    database: None, account: str
) -> None:
    """The database goes down for 10 s while a 2 MB file streams in over REST: the upload
    waits for it (UPLOAD_OUTAGE_PATIENCE_SECONDS) and ends whole, every row counted and its
    bytes stored once, in order; it was refused SERVICE_UNAVAILABLE after MONGODB_TIMEOUT_MS
    (3 s), to be sent again whole."""
    link = Link(os.environ["MONGODB_URL"])
    try:
        patient = {"MONGODB_URL": link.url, "UPLOAD_OUTAGE_PATIENCE_SECONDS": "30"}
        with own_api("upload-outage", **patient) as (url, _):
            data = HEADER + rows(100_000)
            cut = asyncio.Event()

            async def body() -> AsyncIterator[bytes]:
                async for piece in pieces(data):
                    yield piece
                    if not cut.is_set() and await note_of(account) is not None:
                        link.cut()  # the upload under way: the database goes down
                        cut.set()
                        asyncio.get_running_loop().call_later(10, link.restore)

            async with httpx.AsyncClient(base_url=url, timeout=120) as client:
                headers = {"authorization": f"Bearer {issue_token(account)}"}
                answer = await client.post("/uploads", content=body(), headers=headers)
        assert cut.is_set()
        assert answer.status_code == 201, answer.text
        assert answer.json()["rows"] == 100_000
        stored = await uploads.find(account, answer.json()["uploadId"])
        assert stored.rows == 100_000
        read = b"".join([piece async for piece in uploads.read(stored.id)])
        assert read == data
    finally:
        link.close()


class OutageOnce:
    """A write of `unfinished` meeting an outage once: before it reached the database, or
    after (the write made, its answer lost)."""

    def __init__(self, write: Callable[..., Awaitable[Any]], after_the_write: bool) -> None:
        self.write, self.after_the_write, self.calls = write, after_the_write, 0

    async def __call__(self, *args: Any) -> Any:
        self.calls += 1
        if self.calls == 1:
            if self.after_the_write:
                await self.write(*args)
            raise AutoReconnect("the database went down")
        return await self.write(*args)


@pytest.mark.parametrize("after_the_write", [False, True], ids=["before", "answer-lost"])
@pytest.mark.parametrize("write", ["begin", "end"])
async def test_an_upload_rides_out_an_outage_as_it_begins_or_ends(
    database: None,
    account: str,
    monkeypatch: pytest.MonkeyPatch,
    write: str,
    after_the_write: bool,
) -> None:
    """The note of an upload, made before its first byte and removed after its last, meets an
    outage: the upload waits it out and ends whole, also when the write was made and only its
    answer lost (a note noted again is the same note; a note marked ended again is still
    ended, not taken by retention)."""
    monkeypatch.setattr(outages, "RETRY_SECONDS", 0.01)
    outage = OutageOnce(getattr(unfinished, write), after_the_write)
    monkeypatch.setattr(unfinished, write, outage)
    stored = await uploads.store(account, "ending.csv", pieces(HEADER + rows(1000)))
    assert outage.calls == 2
    assert await stored_of(ObjectId(stored.id)) == {"files": 1, "chunks": 1, "notes": 0}
    assert (await uploads.find(account, stored.id)).rows == 1000


async def test_an_upload_whose_note_retention_took_while_its_end_met_an_outage_keeps_nothing(
    database: None, account: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The end tried again finds the note gone because retention took it and deleted the
    upload: refused as too slow, as when no outage came between, and nothing kept."""
    monkeypatch.setattr(outages, "RETRY_SECONDS", 0.01)
    end = unfinished.end
    seen: list[ObjectId] = []

    async def overtaken(upload_id: ObjectId) -> bool:
        if not seen:
            seen.append(upload_id)
            assert await retention.delete_unfinished_uploads(after_the_limit()) >= 1
            raise AutoReconnect("the database went down")
        return await end(upload_id)

    monkeypatch.setattr(unfinished, "end", overtaken)
    with pytest.raises(uploads.UploadTooSlow):
        await uploads.store(account, "overtaken.csv", pieces(HEADER + rows(1000)))
    assert await stored_of(seen[0]) == NOTHING


async def test_retention_after_an_upload_ended_and_before_its_note_went_keeps_it_whole(
    database: None, account: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Retention sweeps in the moment between an upload's end (its note marked ended) and
    the note's removal, with the upload past its time: the upload, told whole, stays whole."""
    forget = unfinished.forget
    swept: list[int] = []

    async def retention_first(upload_id: ObjectId) -> None:
        with monkeypatch.context() as patch:  # the store's removal; retention's is the real one
            patch.setattr(unfinished, "forget", forget)
            swept.append(await retention.delete_unfinished_uploads(after_the_limit()))
        await forget(upload_id)

    monkeypatch.setattr(unfinished, "forget", retention_first)
    stored = await uploads.store(account, "ended.csv", pieces(HEADER + rows(1000)))
    assert swept == [0]
    assert await stored_of(ObjectId(stored.id)) == {"files": 1, "chunks": 1, "notes": 0}
    assert (await uploads.find(account, stored.id)).rows == 1000


async def test_the_note_of_an_upload_that_ended_as_its_process_died_is_removed_by_retention(
    database: None, account: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The process died between the end and the note's removal: retention removes the note
    once the upload can no longer be under way, and keeps the whole upload."""

    async def died(upload_id: ObjectId) -> None:
        raise SystemExit("the API process died")

    monkeypatch.setattr(unfinished, "forget", died)
    monkeypatch.setattr(uploads, "discard", died)  # nothing runs after a death
    with pytest.raises(SystemExit):
        await uploads.store(account, "died.csv", pieces(HEADER + rows(1000)))
    upload_id = await note_of(account)
    assert upload_id is not None
    monkeypatch.undo()
    assert await retention.delete_unfinished_uploads(after_the_limit()) == 0
    assert await stored_of(upload_id) == {"files": 1, "chunks": 1, "notes": 0}
