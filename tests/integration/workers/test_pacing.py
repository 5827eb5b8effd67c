"""The rate-limit middleware end to end: GraphQL → Dramatiq → MongoDB, with a small limit."""

from bisect import bisect_left
from collections import Counter
from datetime import datetime, timedelta

import pytest
from bson import ObjectId

from app.domain.models import Chunk
from app.infra.settings import get_settings
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


async def chunk_writes(action_id: str) -> list[tuple[datetime, datetime, int]]:
    """(time the limit let the chunk's writes start, time they ended, its rows), by start;
    both times on Redis's clock."""
    cursor = Chunk.get_pymongo_collection().find(
        {"action_id": ObjectId(action_id)}, {"started_at": 1, "written_at": 1, "size": 1}
    )
    return sorted([(doc["started_at"], doc["written_at"], doc["size"]) async for doc in cursor])


def late_starts(writes: list[tuple[datetime, datetime, int]], after: datetime) -> list[float]:
    """For each chunk started from `after` on, how long after the limit had room for it (in
    start order, given the earlier chunks' actual writes) it started, in seconds. A write
    counts from its start until a window (plus the margin) after its end."""
    counts_for = WINDOW + timedelta(milliseconds=get_settings().rate_limit_margin_ms)
    late = []
    for k in range(1, len(writes)):
        started, _, rows = writes[k]
        if started < after:
            continue
        earlier = writes[:k]
        not_before = earlier[-1][0]
        frees = sorted(end + counts_for for _, end, _ in earlier if end + counts_for > not_before)
        room = next(
            at
            for at in [not_before, *frees]
            if sum(n for _, end, n in earlier if end + counts_for > at) + rows <= LIMIT
        )
        late.append(max(0.0, (started - room).total_seconds()))
    return late


@pytest.mark.slow(2)
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

    # The limit's own timeline: when each chunk's writes started and ended (Redis's clock).
    writes = await chunk_writes(created["id"])
    starts = [(started, rows) for started, _, rows in writes]
    assert sum(rows for _, rows in starts) == ROWS
    heaviest = heaviest_minute(starts)
    assert heaviest <= LIMIT
    # After the first minute every row left was waiting for the limit (all were sent at
    # once), through to the last chunk's start. Waiting chunks are booked the moment room
    # frees, so each starts about when the limit has room for it, given how long the earlier
    # writes took (which only the database decides; a loaded machine makes them longer and
    # so uses less of the minute, which is the limit working, not waiting).
    times = [at for at, _ in starts]
    waiting_from = times[bisect_left(times, times[0] + WINDOW)]
    assert waiting_from + WINDOW <= times[-1]
    in_minute = sum(rows for at, rows in starts if waiting_from <= at < waiting_from + WINDOW)
    late = late_starts(writes, waiting_from)
    # The rows' write times: when their chunk's writes ended.
    written = sorted((datetime.fromisoformat(log["at"]), 1) for log in logs)
    print(
        f"pacing: heaviest minute {heaviest}/{LIMIT} by start, "
        f"{heaviest_minute(written)}/{LIMIT} by write time; "
        f"{in_minute / LIMIT:.1%} of the limit used while rows waited; waiting chunks "
        f"started {sum(late) / len(late):.2f} s (at most {max(late):.2f} s) after room freed"
    )
    # Generous for a loaded machine; a chunk booked a window late would be ~60 s late.
    assert sum(late) / len(late) <= 5
    assert max(late) <= 15
    # Rows are charged when written, and count until their chunk's writes end: the bound
    # holds on the rows' write times too, however long the writes took.
    assert heaviest_minute(written) <= LIMIT

    after = await snapshot(gql, created["id"])
    assert after["bulkAction"]["stats"]["waitingChunks"] == 0
