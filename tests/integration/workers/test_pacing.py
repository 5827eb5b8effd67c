"""The rate-limit middleware end to end: GraphQL → Dramatiq → MongoDB, with a small limit."""

from bisect import bisect_left
from collections import Counter
from datetime import datetime, timedelta

import pytest
from bson import ObjectId

from app.domain.models import Chunk
from tests.integration.graphql_client import GraphQLClient
from tests.integration.pacing_helpers import records, set_limit, snapshot, wait_for

LIMIT = 600  # per minute: chunks of 60 rows (a tenth of the limit)
ROWS = 1500  # two and a half minutes' worth
WINDOW = timedelta(seconds=60)


def heaviest_minute(events: list[tuple[datetime, int]]) -> int:
    """The most rows in any rolling 60 s window [t, t + 60 s), of (time, rows) events."""
    times = [at for at, _ in events]
    rows = [0]
    for _, count in events:
        rows.append(rows[-1] + count)
    return max(rows[bisect_left(times, at + WINDOW)] - rows[i] for i, at in enumerate(times))


async def chunk_starts(action_id: str) -> list[tuple[datetime, int]]:
    """(time the limit let the chunk through, its rows), in time order."""
    cursor = Chunk.get_pymongo_collection().find(
        {"action_id": ObjectId(action_id)}, {"started_at": 1, "size": 1}
    )
    return sorted([(doc["started_at"], doc["size"]) async for doc in cursor])


@pytest.mark.timeout(420)
async def test_no_rolling_minute_exceeds_the_limit_and_waiting_work_uses_it(
    gql: GraphQLClient, admin_gql: GraphQLClient, account: str
) -> None:
    await set_limit(admin_gql, account, LIMIT)
    created = await gql.create(
        entityType="CONTACT", actionType="INSERT", records=records(ROWS, "pace")
    )

    most_waiting = 0
    most_used = 0

    def finished(seen: dict[str, object]) -> bool:
        nonlocal most_waiting, most_used
        action, limit = seen["bulkAction"], seen["accountRateLimit"]
        assert isinstance(action, dict) and isinstance(limit, dict)
        most_waiting = max(most_waiting, action["stats"]["waitingChunks"])
        most_used = max(most_used, limit["used"])
        return action["status"] not in ("QUEUED", "PROCESSING")

    await wait_for(gql, created["id"], finished, timeout=300)
    done = await gql.action(created["id"])
    assert done["status"] == "COMPLETED"
    assert done["stats"]["succeeded"] == ROWS
    # Chunks waited for the limit, and waiting was never taken for a failure.
    assert most_waiting > 0
    assert most_used <= LIMIT
    logs = await gql.all_logs(created["id"])
    assert Counter(log["reason"] for log in logs) == {"INSERTED": ROWS}

    # The limit's own timeline: when each chunk was let through (Redis's clock).
    starts = await chunk_starts(created["id"])
    assert sum(rows for _, rows in starts) == ROWS
    heaviest = heaviest_minute(starts)
    assert heaviest <= LIMIT
    # After the first minute every row left was waiting for the limit (all were sent at
    # once), through to the last chunk's start: a minute from the first of those should be
    # full, as waiting chunks are booked the moment room frees.
    times = [at for at, _ in starts]
    waiting_from = times[bisect_left(times, times[0] + WINDOW)]
    assert waiting_from + WINDOW <= times[-1]
    in_minute = sum(rows for at, rows in starts if waiting_from <= at < waiting_from + WINDOW)
    use = in_minute / LIMIT
    # The rows' write times follow their chunk's start by its processing time.
    written = sorted((datetime.fromisoformat(log["at"]), 1) for log in logs)
    print(
        f"pacing: heaviest minute {heaviest}/{LIMIT} by start, "
        f"{heaviest_minute(written)}/{LIMIT} by write time; "
        f"{use:.1%} of the limit used while rows waited"
    )
    assert use >= 0.95
    # Rows are charged when written, and count until their chunk's writes end: the bound
    # holds on the rows' write times too, however long the writes took.
    assert heaviest_minute(written) <= LIMIT

    after = await snapshot(gql, created["id"])
    assert after["bulkAction"]["stats"]["waitingChunks"] == 0
