"""Drip mode through the API against the real services: batches at the pace set (start times,
counts, one log per row with its batch), the ETA the schedule gives, another account's work
unhindered, edits from the next batch on, `drip: null`, dry-run estimates and refusals."""

from collections import Counter
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from typing import Any

import pytest
from beanie import PydanticObjectId

from app.domain.drip.batches import Batch
from app.infra.mongo import drips
from tests.integration.graphql_client import GraphQLClient, GraphQLError
from tests.integration.pacing_helpers import records, set_limit, wait_for

DRIP_FIELDS = """
  status finishedAt nextBatchAt
  drip { batchSize everySeconds days window { from to } timeZone }
  stats { total processed succeeded failed skipped etaSeconds batchesStarted nextBatchAt
          estimatedSeconds }
"""
GET = f"query($id: ID!) {{ bulkAction(id: $id) {{ {DRIP_FIELDS} }} }}"
CREATE = f"""
mutation($input: CreateBulkActionInput!) {{
  createBulkAction(input: $input) {{ id {DRIP_FIELDS} }}
}}
"""
UPDATE = f"""
mutation($id: ID!, $drip: DripInput) {{
  updateBulkActionDrip(id: $id, drip: $drip) {{ id {DRIP_FIELDS} }}
}}
"""
LOGS = """
query($id: ID!, $after: String) {
  bulkActionLogs(id: $id, first: 1000, after: $after) {
    pageInfo { hasNextPage endCursor } edges { node { row status batch } }
  }
}
"""


async def create(gql: GraphQLClient, **input: Any) -> dict[str, Any]:
    created: dict[str, Any] = (await gql.data(CREATE, input=input))["createBulkAction"]
    return created


async def get(gql: GraphQLClient, action_id: str) -> dict[str, Any]:
    found: dict[str, Any] = (await gql.data(GET, id=action_id))["bulkAction"]
    return found


async def logs(gql: GraphQLClient, action_id: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    after = None
    while True:
        page = (await gql.data(LOGS, id=action_id, after=after))["bulkActionLogs"]
        found += [edge["node"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            return found
        after = page["pageInfo"]["endCursor"]


async def batches(action_id: str) -> list[Batch]:
    return await drips.batches_of(PydanticObjectId(action_id))


def at(value: str) -> datetime:
    return datetime.fromisoformat(value)


async def test_batches_start_at_the_pace_and_each_row_logs_its_batch(
    gql: GraphQLClient, other_gql: GraphQLClient
) -> None:
    action = await drip_insert(gql, 600, "drip", batchSize=100, everySeconds=5)
    assert action["drip"] == {
        "batchSize": 100,
        "everySeconds": 5,
        "days": ["MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"],
        "window": None,
        "timeZone": "UTC",
    }
    # The ETA the schedule gives once two batches have started (the second shows how late
    # after its due time a batch starts here): 4 more batches, 5 s apart.
    first = await wait_for_action(
        gql, action["id"], lambda seen: seen["stats"]["batchesStarted"] >= 2
    )
    asked_at = datetime.now().astimezone()
    eta = first["stats"]["etaSeconds"]
    assert first["nextBatchAt"] is not None
    assert first["stats"]["nextBatchAt"] == first["nextBatchAt"]

    # Another account's action runs while this one waits between its batches: it ends
    # long before the drip action's later batches start.
    other = await other_gql.run(
        entityType="CONTACT", actionType="INSERT", records=records(100, "quick")
    )
    assert other["status"] == "COMPLETED"
    meanwhile = await get(gql, action["id"])
    assert meanwhile["status"] == "PROCESSING" and meanwhile["stats"]["batchesStarted"] < 4

    done = await wait_for_action(
        gql, action["id"], lambda seen: seen["finishedAt"] is not None, 120
    )
    stats = done["stats"]
    assert (done["status"], stats["total"], stats["succeeded"]) == ("COMPLETED", 600, 600)
    assert done["nextBatchAt"] is None

    found = await batches(action["id"])
    assert [(batch.number, batch.rows) for batch in found] == [(n, 100) for n in range(1, 7)]
    gaps = [
        (later.started_at - earlier.started_at).total_seconds()
        for earlier, later in pairwise(found)
    ]
    assert all(5 <= gap < 7 for gap in gaps), gaps

    rows = await logs(gql, action["id"])
    assert sorted(row["row"] for row in rows) == list(range(1, 601))
    assert Counter(row["batch"] for row in rows) == {n: 100 for n in range(1, 7)}
    # Rows are numbered in input order and batches take them in order of their chunks.
    assert all(row["status"] == "SUCCESS" for row in rows)

    finished = at(done["finishedAt"])
    actual = (finished - asked_at).total_seconds()
    print(f"batch gaps {gaps}; ETA {eta:.1f} s, finished after {actual:.1f} s")
    assert abs(eta - actual) <= 0.1 * actual, (eta, actual)


async def test_an_edit_takes_effect_from_the_next_batch_and_null_ends_the_pacing(
    gql: GraphQLClient,
) -> None:
    action = await drip_insert(gql, 400, "edit", batchSize=100, everySeconds=3600)
    waiting = await wait_for_action(
        gql, action["id"], lambda seen: seen["stats"]["processed"] == 100
    )
    assert waiting["stats"]["batchesStarted"] == 1
    hour_later = at(waiting["nextBatchAt"]) - datetime.now().astimezone()
    assert hour_later.total_seconds() > 3500  # the next batch waits for its hour

    # Smaller batches, more often: from the next batch on, not after the hour set before.
    edited = await gql.data(UPDATE, id=action["id"], drip={"batchSize": 50, "everySeconds": 2})
    assert edited["updateBulkActionDrip"]["drip"]["batchSize"] == 50
    await wait_for_action(gql, action["id"], lambda seen: seen["stats"]["processed"] >= 200)
    # No pace: the rest runs at the account's limit.
    await gql.data(UPDATE, id=action["id"], drip=None)
    done = await gql.wait(action["id"], timeout=120)
    assert (done["status"], done["stats"]["succeeded"]) == ("COMPLETED", 400)
    assert (await get(gql, action["id"]))["drip"] is None

    found = await batches(action["id"])
    assert (found[0].rows, found[0].size) == (100, 100)
    assert [batch.rows for batch in found[1:3]] == [50, 50]
    assert all(batch.size == 50 for batch in found[1:])
    assert all(
        (later.started_at - earlier.started_at).total_seconds() >= 2
        for earlier, later in pairwise(found[1:])
    )
    rows = await logs(gql, action["id"])
    assert sorted(row["row"] for row in rows) == list(range(1, 401))
    by_batch = Counter(row["batch"] for row in rows)
    assert by_batch[1] == 100 and by_batch[2] == by_batch[3] == 50
    # Rows given no batch ran once the pace was taken away.
    assert sum(by_batch.values()) == 400
    assert sum(batch.rows for batch in found) + by_batch[None] == 400


async def test_pause_and_resume_go_on_from_the_last_batch(gql: GraphQLClient) -> None:
    action = await drip_insert(gql, 300, "pause", batchSize=100, everySeconds=2)
    await wait_for_action(gql, action["id"], lambda seen: seen["stats"]["processed"] >= 100)
    await gql.data("mutation($id: ID!) { pauseBulkAction(id: $id) { id } }", id=action["id"])
    paused = await wait_for_action(gql, action["id"], lambda seen: seen["status"] == "PAUSED")
    assert paused["nextBatchAt"] is None  # nothing starts while paused
    # The pace can change while paused.
    await gql.data(UPDATE, id=action["id"], drip={"batchSize": 100, "everySeconds": 1})
    await gql.data("mutation($id: ID!) { resumeBulkAction(id: $id) { id } }", id=action["id"])
    done = await gql.wait(action["id"], timeout=120)
    assert (done["status"], done["stats"]["succeeded"]) == ("COMPLETED", 300)
    found = await batches(action["id"])
    assert sum(batch.rows for batch in found) == 300
    assert [batch.number for batch in found] == list(range(1, len(found) + 1))
    rows = await logs(gql, action["id"])
    assert sorted(row["row"] for row in rows) == list(range(1, 301))
    assert all(row["batch"] is not None for row in rows)


async def test_a_dry_run_is_not_paced_and_estimates_the_real_run(gql: GraphQLClient) -> None:
    dry = await create(
        gql,
        entityType="CONTACT",
        actionType="INSERT",
        records=records(1000, "estimate"),
        dryRun=True,
        drip={"batchSize": 100, "everySeconds": 60},
    )
    done = await wait_for_action(gql, dry["id"], lambda seen: seen["finishedAt"] is not None, 120)
    assert done["status"] == "COMPLETED" and done["stats"]["processed"] == 1000
    assert await batches(dry["id"]) == []  # not paced
    # Ten batches a minute apart: the last starts 9 minutes after the first.
    assert 540 <= done["stats"]["estimatedSeconds"] < 545
    assert done["drip"]["everySeconds"] == 60

    run = (
        await gql.data(
            f"mutation($id: ID!) {{ runBulkAction(id: $id) {{ id {DRIP_FIELDS} }} }}", id=dry["id"]
        )
    )["runBulkAction"]
    assert run["drip"] == done["drip"]  # the real run keeps the pace it was estimated for
    await gql.data("mutation($id: ID!) { cancelBulkAction(id: $id) { id } }", id=run["id"])
    await gql.wait(run["id"], timeout=120)


@pytest.mark.parametrize(
    ("drip", "named"),
    [
        ({"batchSize": 0, "everySeconds": 5}, "drip.batchSize"),
        ({"batchSize": 10_001, "everySeconds": 5}, "drip.batchSize"),
        ({"batchSize": 10, "everySeconds": 0}, "drip.everySeconds"),
        ({"batchSize": 10, "everySeconds": 604_801}, "drip.everySeconds"),
        ({"batchSize": 10, "everySeconds": 5, "days": []}, "drip.days"),
        ({"batchSize": 10, "everySeconds": 5, "timeZone": "Mars/Olympus"}, "drip.timeZone"),
        (
            {"batchSize": 10, "everySeconds": 5, "window": {"from": "09:00", "to": "09:00"}},
            "drip.window",
        ),
        (
            {"batchSize": 10, "everySeconds": 5, "window": {"from": "9am", "to": "17:00"}},
            "drip.window.from",
        ),
        (
            {"batchSize": 10, "everySeconds": 5, "window": {"from": "09:00", "to": "24:30"}},
            "drip.window.to",
        ),
    ],
)
async def test_a_bad_pace_is_refused_naming_the_field(
    gql: GraphQLClient, drip: dict[str, Any], named: str
) -> None:
    with pytest.raises(GraphQLError) as refused:
        await create(
            gql, entityType="CONTACT", actionType="INSERT", records=records(1, "bad"), drip=drip
        )
    assert refused.value.codes == ["BAD_USER_INPUT"]
    assert named in str(refused.value)


async def test_a_batch_above_the_accounts_limit_and_edits_out_of_place_are_refused(
    gql: GraphQLClient, admin_gql: GraphQLClient, account: str
) -> None:
    await set_limit(admin_gql, account, 500)
    with pytest.raises(GraphQLError) as refused:
        await drip_insert(gql, 1, "limit", batchSize=501, everySeconds=5)
    assert refused.value.codes == ["BAD_USER_INPUT"] and "drip.batchSize" in str(refused.value)

    plain = await gql.run(entityType="CONTACT", actionType="INSERT", records=records(1, "plain"))
    for action_id, drip in (
        (plain["id"], None),
        (plain["id"], {"batchSize": 5, "everySeconds": 5}),
    ):
        with pytest.raises(GraphQLError) as ended:
            await gql.data(UPDATE, id=action_id, drip=drip)
        assert ended.value.codes == ["BAD_USER_INPUT"]
    with pytest.raises(GraphQLError) as missing:
        await gql.data(UPDATE, id="0" * 24, drip=None)
    assert missing.value.codes == ["NOT_FOUND"]


async def wait_for_action(
    gql: GraphQLClient, action_id: str, done: Any, timeout: float = 60
) -> dict[str, Any]:
    """Polls the action's drip fields until `done(action)` holds."""
    seen = await wait_for(
        gql, action_id, lambda seen: done(seen["bulkAction"]), timeout, GET, every=0.1
    )
    found: dict[str, Any] = seen["bulkAction"]
    return found


async def drip_insert(gql: GraphQLClient, rows: int, tag: str, **drip: Any) -> dict[str, Any]:
    """Creates an INSERT of `rows` new contacts paced by `drip`."""
    return await create(
        gql, entityType="CONTACT", actionType="INSERT", records=records(rows, tag), drip=drip
    )


async def test_a_scheduled_update_by_filter_drips_from_its_start(gql: GraphQLClient) -> None:
    """Any target and type: an UPDATE of the entities a filter matches, scheduled, runs its
    first batch no earlier than its start and the rest at the pace."""
    await gql.run(entityType="CONTACT", actionType="INSERT", records=records(250, "audience"))
    start = datetime.now(UTC) + timedelta(seconds=3)
    action = await create(
        gql,
        entityType="CONTACT",
        actionType="UPDATE",
        filter={"conditions": [{"field": "email", "prefix": "audience"}]},
        fields={"city": "Lyon"},
        scheduledAt=start.isoformat(),
        drip={"batchSize": 100, "everySeconds": 2},
    )
    assert action["status"] == "SCHEDULED"
    assert at(action["nextBatchAt"]) >= start - timedelta(milliseconds=1)
    done = await gql.wait(action["id"], timeout=120)
    assert (done["status"], done["stats"]["succeeded"]) == ("COMPLETED", 250)
    found = await batches(action["id"])
    # Chunks reach the gate in any order, so the 50-row remainder may run in any batch.
    assert sorted(batch.rows for batch in found) == [50, 100, 100]
    assert found[0].started_at >= start
    assert all(
        (later.started_at - earlier.started_at).total_seconds() >= 2
        for earlier, later in pairwise(found)
    )
    rows = await logs(gql, action["id"])
    assert Counter(row["batch"] for row in rows) == {batch.number: batch.rows for batch in found}
