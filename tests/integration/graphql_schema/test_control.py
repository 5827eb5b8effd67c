"""Cancel, pause/resume and reschedule through GraphQL, with real workers and a small limit
so that an action is still running (its chunks waiting for the limit) when the owner acts."""

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.integration.graphql_client import ENTITIES, GraphQLClient, GraphQLError
from tests.integration.pacing_helpers import records, set_limit, snapshot, wait_for
from tests.support.polling import stays

LIMIT = 600  # chunks of 60: the first minute's ten run at once, the rest wait
ROWS = 1200
CONTROL = "mutation($id: ID!) {{ {verb}BulkAction(id: $id) {{ id status }} }}"
RESCHEDULE = """
mutation($id: ID!, $at: DateTime!) {
  rescheduleBulkAction(id: $id, scheduledAt: $at) { id status scheduledAt }
}
"""


async def control(gql: GraphQLClient, verb: str, action_id: str) -> dict[str, Any]:
    data = await gql.data(CONTROL.format(verb=verb), id=action_id)
    result: dict[str, Any] = data[f"{verb}BulkAction"]
    return result


def first_minute_done(seen: dict[str, Any]) -> bool:
    stats = seen["bulkAction"]["stats"]
    return bool(stats["processed"] >= LIMIT and stats["waitingChunks"] > 0)


async def started_and_waiting(
    gql: GraphQLClient, admin: GraphQLClient, account: str, tag: str
) -> str:
    await set_limit(admin, account, LIMIT)
    created = await gql.create(
        entityType="CONTACT", actionType="INSERT", records=records(ROWS, tag)
    )
    await wait_for(gql, created["id"], first_minute_done)
    return str(created["id"])


async def test_cancel_skips_the_rest_and_ends_cancelled_with_exact_counts(
    gql: GraphQLClient, admin_gql: GraphQLClient, account: str
) -> None:
    action_id = await started_and_waiting(gql, admin_gql, account, "cancel")

    assert (await control(gql, "cancel", action_id))["status"] in ("CANCELLING", "CANCELLED")
    # Waiting chunks give back their booked time: no wait for the limit to end the action.
    done = await gql.wait(action_id)
    assert done["status"] == "CANCELLED"
    stats = done["stats"]
    assert stats["succeeded"] == LIMIT
    assert (stats["total"], stats["skipped"], stats["failed"]) == (ROWS, ROWS - LIMIT, 0)

    logs = await gql.all_logs(action_id)
    assert [log["row"] for log in logs] == list(range(1, ROWS + 1))
    assert Counter(log["reason"] for log in logs) == {"INSERTED": LIMIT, "CANCELLED": ROWS - LIMIT}
    count = await gql.data("{ entities(entityType: CONTACT) { totalCount } }")
    assert count["entities"]["totalCount"] == LIMIT
    assert (await snapshot(gql, action_id))["accountRateLimit"]["bookedAhead"] == 0

    with pytest.raises(GraphQLError) as ended:
        await control(gql, "cancel", action_id)
    assert ended.value.codes == ["BAD_USER_INPUT"]


async def test_pause_holds_and_resume_goes_on_without_redoing_or_losing_rows(
    gql: GraphQLClient, admin_gql: GraphQLClient, account: str
) -> None:
    action_id = await started_and_waiting(gql, admin_gql, account, "pause")

    assert (await control(gql, "pause", action_id))["status"] == "PAUSED"
    held = await snapshot(gql, action_id)
    await set_limit(admin_gql, account, 1_000_000)  # so nothing but the pause holds it back
    later = await wait_for(
        gql,
        action_id,
        lambda seen: (
            seen["bulkAction"]["status"] == "PAUSED"
            and seen["bulkAction"]["stats"]["finishingRows"] == 0  # what had begun has landed
            # and the planner, told of the pause, gave the waiting chunks' booked time back
            and seen["accountRateLimit"]["bookedAhead"] == 0
        ),
    )
    assert later["bulkAction"]["stats"]["processed"] == held["bulkAction"]["stats"]["processed"]
    held_at = later["bulkAction"]["stats"]["processed"]

    async def nothing_starts() -> bool:
        return bool((await snapshot(gql, action_id))["bulkAction"]["stats"]["processed"] == held_at)

    await stays(nothing_starts, "nothing processed while paused", seconds=2)
    still = await snapshot(gql, action_id)
    assert still["bulkAction"]["stats"]["etaSeconds"] is None  # no end while paused
    assert later["accountRateLimit"]["bookedAhead"] == 0
    assert (await control(gql, "pause", action_id))["status"] == "PAUSED"  # again: no change
    assert (await control(gql, "resume", action_id))["status"] == "PROCESSING"
    with pytest.raises(GraphQLError) as not_paused:
        await control(gql, "resume", action_id)
    assert not_paused.value.codes == ["BAD_USER_INPUT"]

    done = await gql.wait(action_id)
    assert done["status"] == "COMPLETED"
    assert done["stats"]["succeeded"] == ROWS
    logs = await gql.all_logs(action_id)
    assert [log["row"] for log in logs] == list(range(1, ROWS + 1))
    assert Counter(log["reason"] for log in logs) == {"INSERTED": ROWS}
    count = await gql.data("{ entities(entityType: CONTACT) { totalCount } }")
    assert count["entities"]["totalCount"] == ROWS


async def test_paused_and_cancelling_actions_are_listed_under_their_shown_status(
    gql: GraphQLClient, admin_gql: GraphQLClient, account: str
) -> None:
    action_id = await started_and_waiting(gql, admin_gql, account, "listed")
    await control(gql, "pause", action_id)
    query = """
    query($s: BulkActionStatus) { bulkActions(status: $s) { totalCount edges { node { id } } } }
    """
    paused = (await gql.data(query, s="PAUSED"))["bulkActions"]
    running = (await gql.data(query, s="PROCESSING"))["bulkActions"]
    assert [edge["node"]["id"] for edge in paused["edges"]] == [action_id]
    assert running["totalCount"] == 0
    # A refusal names the status as shown, not as stored.
    with pytest.raises(GraphQLError) as refused:
        await gql.data(RESCHEDULE, id=action_id, at=later(3600))
    assert "this one is PAUSED" in refused.value.errors[0]["message"]
    await control(gql, "cancel", action_id)
    assert (await gql.wait(action_id))["status"] == "CANCELLED"


def later(seconds: float) -> str:
    return (datetime.now(UTC) + timedelta(seconds=seconds)).isoformat()


async def scheduled(gql: GraphQLClient, tag: str, rows: int = 1, seconds: float = 600) -> str:
    """An INSERT action scheduled `seconds` ahead; its id."""
    created = await gql.create(
        entityType="CONTACT",
        actionType="INSERT",
        records=records(rows, tag),
        scheduledAt=later(seconds),
    )
    assert created["status"] == "SCHEDULED"
    return str(created["id"])


async def test_reschedule_moves_the_start_of_a_scheduled_action(gql: GraphQLClient) -> None:
    created = {"id": await scheduled(gql, "resched", rows=3, seconds=3)}
    # Before planning has read its input, the total is what the input held when made.
    waiting = await gql.action(created["id"])
    assert (waiting["stats"]["total"], waiting["stats"]["progress"]) == (3, 0.0)
    moved = (await gql.data(RESCHEDULE, id=created["id"], at=later(3600)))["rescheduleBulkAction"]
    assert moved["status"] == "SCHEDULED"

    # The first schedule's message comes and goes; the action waits for its new time.
    async def still_scheduled() -> bool:
        return bool((await gql.action(created["id"]))["status"] == "SCHEDULED")

    await stays(still_scheduled, "SCHEDULED past its first time", seconds=5)

    start = datetime.now(UTC) + timedelta(seconds=2)
    await gql.data(RESCHEDULE, id=created["id"], at=start.isoformat())
    done = await gql.wait(created["id"])
    assert done["status"] == "COMPLETED"
    started = datetime.fromisoformat(done["startedAt"])
    assert start - timedelta(seconds=1) <= started <= start + timedelta(seconds=10)


@pytest.mark.parametrize(
    ("at", "message"),
    [(later(-3600), "past"), ("3026-01-01T00:00:00+00:00", "year")],
    ids=["past", "year"],  # the same names in every collecting process
)
async def test_reschedule_refuses_past_and_absurd_times(
    gql: GraphQLClient, at: str, message: str
) -> None:
    created = {"id": await scheduled(gql, "r")}
    with pytest.raises(GraphQLError) as refused:
        await gql.data(RESCHEDULE, id=created["id"], at=at)
    assert refused.value.codes == ["BAD_USER_INPUT"]
    assert message in refused.value.errors[0]["message"]
    await control(gql, "cancel", created["id"])


async def test_cancel_before_the_start_logs_every_row_cancelled(gql: GraphQLClient) -> None:
    """Cancelled an hour before its start, the action ends at once, as a running one does:
    every row logged SKIPPED/CANCELLED, the counts exact, no entity written (once, it ended
    CANCELLED with its rows unread: 0 of 5 processed, no outcome for any of them)."""
    created = {"id": await scheduled(gql, "early", rows=5, seconds=3600)}
    with pytest.raises(GraphQLError) as not_started:
        await control(gql, "pause", created["id"])
    assert not_started.value.codes == ["BAD_USER_INPUT"]
    await control(gql, "cancel", created["id"])
    done = await gql.wait(created["id"])
    assert done["status"] == "CANCELLED"
    stats = done["stats"]
    assert (stats["total"], stats["processed"], stats["skipped"]) == (5, 5, 5)
    logs = await gql.all_logs(created["id"])
    assert [(log["row"], log["status"], log["reason"]) for log in logs] == [
        (n, "SKIPPED", "CANCELLED") for n in range(1, 6)
    ]
    found = await gql.data(ENTITIES, type="CONTACT")
    assert not [e for e in found["entities"]["edges"] if "early" in e["node"]["data"]["email"]]


async def test_controls_of_another_accounts_action_are_not_found(
    gql: GraphQLClient, other_gql: GraphQLClient
) -> None:
    created = {"id": await scheduled(gql, "mine")}
    for verb in ("cancel", "pause", "resume"):
        with pytest.raises(GraphQLError) as hidden:
            await control(other_gql, verb, created["id"])
        assert hidden.value.codes == ["NOT_FOUND"]
    with pytest.raises(GraphQLError) as hidden:
        await other_gql.data(RESCHEDULE, id=created["id"], at=later(60))
    assert hidden.value.codes == ["NOT_FOUND"]
    await control(gql, "cancel", created["id"])
