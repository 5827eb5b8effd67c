"""Every worker process killed with SIGKILL halfway through a CSV import, new ones started:
the action ends with exact counts, one log per row and each good row inserted once. The
dead processes' messages come back to the new ones (Dramatiq's requeue of a dead worker's
messages, `WORKER_DEAD_AFTER_SECONDS`), and redone chunks reuse their stored decisions."""

import asyncio
import csv
import io
import time
from collections import Counter
from typing import Any

import pytest

from tests.integration.conftest import Workers
from tests.integration.graphql_client import GraphQLClient, upload
from tests.support.contacts_csv import lines, plan
from tests.support.polling import stays, until

ROWS = 30_000


@pytest.mark.slow(3)
async def test_killing_every_worker_mid_action_loses_and_doubles_nothing(
    gql: GraphQLClient, workers: Workers
) -> None:
    content = "".join(lines(ROWS, duplicates=0.02, bad=0.01)).encode()
    _, expected = plan(ROWS, duplicates=0.02, bad=0.01)
    uploaded = (await upload(gql, content)).json()
    action = await gql.create(
        entityType="CONTACT", actionType="INSERT", uploadId=uploaded["uploadId"]
    )

    deadline = time.monotonic() + 600
    while (await gql.action(action["id"]))["stats"]["processed"] < ROWS // 4:
        assert time.monotonic() < deadline
        await asyncio.sleep(0.1)
    workers.kill()
    try:
        # What a killed worker had sent the database still lands (FerretDB ends a command its
        # client left), so the count is taken once it holds for half a second; a worker that
        # survived the kill would keep it moving, and the checks below would see it.
        async def settled() -> dict[str, Any] | None:
            first = (await gql.action(action["id"]))["stats"]
            await asyncio.sleep(0.5)
            second: dict[str, Any] = (await gql.action(action["id"]))["stats"]
            return second if second["processed"] == first["processed"] else None

        at_kill = await until(settled, "the writes sent before the kill to land", timeout=30)

        async def nothing_runs() -> bool:  # every worker is gone
            return bool(
                (await gql.action(action["id"]))["stats"]["processed"] == at_kill["processed"]
            )

        await stays(nothing_runs, "no row processed with every worker gone", seconds=1)
    finally:
        workers.start()
    print(f"killed at {at_kill['processed']} of {ROWS} rows processed")

    done = await gql.wait(action["id"], timeout=900)
    stats = done["stats"]
    assert (stats["total"], stats["succeeded"], stats["failed"], stats["skipped"]) == (
        ROWS,
        expected.good,
        expected.bad,
        expected.duplicates,
    )
    exported = (await gql.http.get(f"/bulk-actions/{action['id']}/logs.csv")).text
    rows = Counter(int(log["row"]) for log in csv.DictReader(io.StringIO(exported)))
    assert sorted(rows) == list(range(1, ROWS + 1))
    assert set(rows.values()) == {1}
    count = await gql.data("{ entities(entityType: CONTACT, first: 1) { totalCount } }")
    assert count["entities"]["totalCount"] == expected.good
