"""Downloads ride out a database restart: logs.csv goes on after the last row it wrote, each
row once and in order, export.csv from the last byte it sent (DOWNLOAD_OUTAGE_PATIENCE_SECONDS);
past its patience a download is cut short, which the client sees as an error, never as a file
that ends early."""

import asyncio
import csv
import io
import os
from collections.abc import AsyncGenerator
from typing import Any

import httpx
import pytest
from pymongo.errors import AutoReconnect

from app.domain.models import ActionLog
from app.infra import outages
from app.infra.auth import issue_token
from app.infra.files import export_parts
from app.infra.settings import get_settings
from app.usecases.reading import logs
from server.asgi import create_app
from tests.integration.conftest import log_file, own_api
from tests.integration.factories import contact_documents, store_contacts
from tests.integration.faults import Link
from tests.integration.graphql_client import GraphQLClient
from tests.support.logged_actions import stored_logged_action

ROWS = 3000


def outage_after(
    monkeypatch: pytest.MonkeyPatch, given: int, times: int, again: int | None = None
) -> list[int]:
    """The database goes down after `given` logs of a walk (of each later walk: `again`, as
    many by default), `times` times; returns the rows each walk started after."""
    walk = logs.walk
    openings: list[int] = []

    async def walked(*args: Any) -> AsyncGenerator[ActionLog, None]:
        openings.append(args[2])
        count = 0
        async for log in walk(*args):
            limit = given if len(openings) == 1 or again is None else again
            if len(openings) <= times and count == limit:
                raise AutoReconnect("the database went down")
            count += 1
            yield log

    monkeypatch.setattr(logs, "walk", walked)
    monkeypatch.setattr(outages, "RETRY_SECONDS", 0.01)
    return openings


async def download(
    account: str, action_id: str, query: str = "", file: str = "logs.csv"
) -> httpx.Response:
    """The file as an API in this process serves it (where the test's faults reach)."""
    transport = httpx.ASGITransport(app=create_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://api") as client:
        headers = {"authorization": f"Bearer {issue_token(account)}"}
        return await client.get(f"/bulk-actions/{action_id}/{file}{query}", headers=headers)


@pytest.mark.parametrize("failed_only", [False, True], ids=["all", "failed"])
async def test_logs_csv_goes_on_after_an_outage_with_each_row_once(
    database: None, account: str, monkeypatch: pytest.MonkeyPatch, failed_only: bool
) -> None:
    action = await stored_logged_action(account, ROWS, failing_every=1)
    openings = outage_after(monkeypatch, given=7, times=2)
    answer = await download(account, str(action.id), "?status=FAILED" if failed_only else "")
    assert answer.status_code == 200, answer.text
    rows = [int(line["row"]) for line in csv.DictReader(io.StringIO(answer.text))]
    expected = [row for row in range(1, ROWS + 1) if not failed_only or row % 50 == 0]
    assert rows == expected
    assert openings == [0, expected[6], expected[13]]


async def test_logs_csv_past_its_patience_is_cut_short_not_ended(
    database: None, account: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    action = await stored_logged_action(account, ROWS, failing_every=1)
    """The database comes back with nothing more for longer than the patience: the error
    ends the response unfinished (over HTTP, without its last chunk)."""
    outage_after(monkeypatch, given=7, times=10_000, again=0)
    monkeypatch.setattr(get_settings(), "download_outage_patience_seconds", 0.1)
    with pytest.raises(AutoReconnect):
        await download(account, str(action.id))


@pytest.mark.parametrize("query", ["", "?decimalMark=comma&bom=true"], ids=["as-stored", "comma"])
async def test_export_csv_goes_on_from_the_last_byte_it_sent_after_an_outage(
    gql: GraphQLClient, account: str, monkeypatch: pytest.MonkeyPatch, query: str
) -> None:
    """The database goes down in the middle of the export's second part: the download goes
    on from the byte it had reached, the same file as a download without the outage."""
    data = [{"email": f"x{n}@example.com", "score": n / 4} for n in range(2500)]
    await store_contacts(contact_documents(account, data))
    exported = await gql.run(entityType="CONTACT", actionType="EXPORT", filter={"all": True})
    assert exported["stats"]["succeeded"] == 2500
    whole = await download(account, exported["id"], query, "export.csv")
    assert whole.status_code == 200, whole.text

    read_part = export_parts.read_part
    parts: list[str] = []

    async def cut_in_its_second_part(part_id: str) -> AsyncGenerator[bytes, None]:
        parts.append(part_id)
        async for piece in read_part(part_id):
            if len(parts) == 2:  # the first reading of the second part
                yield piece[: len(piece) // 2]
                raise AutoReconnect("the database went down")
            yield piece

    monkeypatch.setattr(export_parts, "read_part", cut_in_its_second_part)
    monkeypatch.setattr(outages, "RETRY_SECONDS", 0.01)
    answer = await download(account, exported["id"], query, "export.csv")
    assert answer.status_code == 200, answer.text
    assert answer.content == whole.content
    # Its first two parts, then every part again from the first (skipped to the byte).
    assert parts[2:4] == parts[:2] and len(set(parts[2:])) == len(parts[2:]) > 2


@pytest.mark.slow(2)
async def test_logs_csv_rides_out_a_real_database_outage(database: None, account: str) -> None:
    """Over HTTP from an API of the test's own, whose database link goes down for 3 s while
    the file streams (after its first bytes arrived): every row comes once, in order, and
    the API's log shows the stream waited."""
    action = await stored_logged_action(account, 100_000, failing_every=7)
    link = Link(os.environ["MONGODB_URL"])
    try:
        patient = {"MONGODB_URL": link.url, "DOWNLOAD_OUTAGE_PATIENCE_SECONDS": "30"}
        with own_api("logs-outage", **patient) as (url, _):
            received: list[bytes] = []
            async with httpx.AsyncClient(base_url=url, timeout=120) as client:
                headers = {"authorization": f"Bearer {issue_token(account)}"}
                path = f"/bulk-actions/{action.id}/logs.csv"
                async with client.stream("GET", path, headers=headers) as answer:
                    assert answer.status_code == 200
                    async for piece in answer.aiter_bytes():
                        if not received:
                            link.cut()
                            asyncio.get_running_loop().call_later(3, link.restore)
                        received.append(piece)
        rows = [
            int(line["row"]) for line in csv.DictReader(io.StringIO(b"".join(received).decode()))
        ]
        assert rows == list(range(1, 100_001))
        assert "a stream waits to go on after" in log_file("logs-outage").read_text()
    finally:
        link.close()
