"""A logs.csv download rides out a database restart: it goes on after the last row it wrote,
each row once and in order (DOWNLOAD_OUTAGE_PATIENCE_SECONDS); past its patience it is cut
short, which the client sees as an error, never as a file that ends early."""

import csv
import io
from collections.abc import AsyncGenerator
from typing import Any

import httpx
import pytest
from pymongo.errors import AutoReconnect

from app.domain.models import ActionLog
from app.infra import outages
from app.infra.auth import issue_token
from app.infra.settings import get_settings
from app.usecases.reading import logs
from server.asgi import create_app
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


async def download(account: str, action_id: str, query: str = "") -> httpx.Response:
    transport = httpx.ASGITransport(app=create_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://api") as client:
        headers = {"authorization": f"Bearer {issue_token(account)}"}
        return await client.get(f"/bulk-actions/{action_id}/logs.csv{query}", headers=headers)


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
