"""Account isolation, idempotency keys, and keyset paging of logs and actions."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.integration.graphql_client import GET, LOGS, GraphQLClient, GraphQLError


async def test_account_isolation(gql: GraphQLClient, other_gql: GraphQLClient) -> None:
    mine = await gql.run(
        entityType="CONTACT", actionType="INSERT", records=[{"email": "own@example.com"}]
    )
    entity_id = (await gql.all_logs(mine["id"]))[0]["entityId"]

    for query, variables in [
        (GET, {"id": mine["id"]}),
        (LOGS, {"id": mine["id"]}),
        ("query($id: ID!) { bulkActionStats(id: $id) { total } }", {"id": mine["id"]}),
    ]:
        body = await other_gql.execute(query, **variables)
        assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert (await other_gql.data("{ bulkActions { totalCount } }"))["bulkActions"][
        "totalCount"
    ] == 0
    seen = await other_gql.data("{ entities(entityType: CONTACT) { totalCount } }")
    assert seen["entities"]["totalCount"] == 0

    # Another account cannot touch this account's entity by its id.
    theirs = await other_gql.run(
        entityType="CONTACT", actionType="UPDATE", entityIds=[entity_id], fields={"first_name": "X"}
    )
    assert theirs["stats"]["failed"] == 1
    assert (await other_gql.all_logs(theirs["id"]))[0]["reason"] == "NOT_FOUND"
    # The same email is free in another account: keys are unique per account.
    again = await other_gql.run(
        entityType="CONTACT", actionType="INSERT", records=[{"email": "own@example.com"}]
    )
    assert again["stats"]["succeeded"] == 1
    assert "first_name" not in (await gql.entities("CONTACT", [entity_id]))[entity_id]


async def test_idempotency_key_returns_the_first_action(
    gql: GraphQLClient, other_gql: GraphQLClient
) -> None:
    input = {
        "entityType": "LEAD",
        "actionType": "INSERT",
        "records": [{"email": "lead@example.com", "status": "new"}],
        "idempotencyKey": "import-2026-11-22",
    }
    first = await gql.create(**input)
    second = await gql.create(**input)
    assert second["id"] == first["id"]
    assert second["idempotencyKey"] == "import-2026-11-22"
    elsewhere = await other_gql.create(**input)
    assert elsewhere["id"] != first["id"]
    listed = await gql.data("{ bulkActions { totalCount } }")
    assert listed["bulkActions"]["totalCount"] == 1
    done = await gql.wait(first["id"])
    assert done["stats"]["succeeded"] == 1


async def test_a_key_used_again_for_other_input_is_refused_naming_the_first_action(
    gql: GraphQLClient,
) -> None:
    """A client that reuses a key for a different request would otherwise be answered with
    the first action and believe its new input queued: it is told instead (CONFLICT, the
    action holding the key named), and nothing is made. The same file sent again (a retried
    multipart create uploads it anew) is the same request."""
    input: dict[str, Any] = {
        "entityType": "CONTACT",
        "actionType": "INSERT",
        "records": [{"email": "k1@example.com"}],
        "idempotencyKey": "reused-key",
    }
    first = await gql.create(**input)
    for changed in (
        {"records": [{"email": "k2@example.com"}]},
        {"actionType": "UPSERT"},
        {"dryRun": True},
    ):
        with pytest.raises(GraphQLError) as refused:
            await gql.create(**{**input, **changed})
        assert refused.value.codes == ["CONFLICT"], changed
        error = refused.value.errors[0]
        assert error["extensions"]["actionId"] == first["id"]
        assert "different request" in error["message"]
    assert (await gql.create(**input))["id"] == first["id"]
    listed = await gql.data("{ bulkActions { totalCount } }")
    assert listed["bulkActions"]["totalCount"] == 1

    body = b"email\r\nf1@example.com\r\n"
    made = []
    for _ in range(2):
        response = await gql.http.post("/uploads", content=body)
        upload_id = response.json()["uploadId"]
        made.append(
            await gql.create(
                entityType="CONTACT", actionType="INSERT", uploadId=upload_id, idempotencyKey="file"
            )
        )
    assert made[0]["id"] == made[1]["id"]
    other = await gql.http.post("/uploads", content=b"email\r\nf2@example.com\r\nf3@x.io\r\n")
    with pytest.raises(GraphQLError) as refused:
        await gql.create(
            entityType="CONTACT",
            actionType="INSERT",
            uploadId=other.json()["uploadId"],
            idempotencyKey="file",
        )
    assert refused.value.codes == ["CONFLICT"]


async def test_log_paging_with_status_filter(gql: GraphQLClient) -> None:
    records = [{"email": f"page{i % 90}@example.com"} for i in range(120)]
    action = await gql.run(entityType="CONTACT", actionType="INSERT", records=records)
    assert (action["stats"]["succeeded"], action["stats"]["skipped"]) == (90, 30)

    seen: list[int] = []
    after = None
    pages = 0
    while True:
        page = (await gql.data(LOGS, id=action["id"], status="SKIPPED", first=7, after=after))[
            "bulkActionLogs"
        ]
        assert page["totalCount"] == 30
        seen += [edge["node"]["row"] for edge in page["edges"]]
        assert all(edge["node"]["status"] == "SKIPPED" for edge in page["edges"])
        pages += 1
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
        assert after == page["edges"][-1]["cursor"]
    assert seen == list(range(91, 121))
    assert pages == 5

    success = (await gql.data(LOGS, id=action["id"], status="SUCCESS", first=1000))[
        "bulkActionLogs"
    ]
    assert success["totalCount"] == 90
    assert [e["node"]["row"] for e in success["edges"]] == list(range(1, 91))


async def test_actions_are_listed_newest_first(gql: GraphQLClient) -> None:
    ids = []
    for n in range(3):
        created = await gql.create(
            entityType="CONTACT", actionType="INSERT", records=[{"email": f"list{n}@example.com"}]
        )
        ids.append(created["id"])
    query = """
    query($after: String) {
      bulkActions(first: 2, after: $after) {
        totalCount pageInfo { hasNextPage endCursor } edges { node { id } }
      }
    }
    """
    first = (await gql.data(query))["bulkActions"]
    assert first["totalCount"] == 3
    assert [e["node"]["id"] for e in first["edges"]] == ids[::-1][:2]
    assert first["pageInfo"]["hasNextPage"]
    second = (await gql.data(query, after=first["pageInfo"]["endCursor"]))["bulkActions"]
    assert [e["node"]["id"] for e in second["edges"]] == ids[:1]
    assert not second["pageInfo"]["hasNextPage"]
    for action_id in ids:
        await gql.wait(action_id)
    completed = await gql.data("{ bulkActions(status: COMPLETED) { totalCount } }")
    assert completed["bulkActions"]["totalCount"] == 3


PAGE = """
query($after: String) {
  bulkActions(first: 1, after: $after) {
    edges { cursor node { id } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}
"""
NODE = "query($id: ID!) { node(id: $id) { id ... on BulkAction { actionType } } }"


async def test_relay_page_info_and_node(gql: GraphQLClient, other_gql: GraphQLClient) -> None:
    for n in range(2):
        await gql.create(
            entityType="CONTACT", actionType="INSERT", records=[{"email": f"r{n}@x.io"}]
        )
    first = (await gql.data(PAGE))["bulkActions"]
    info = first["pageInfo"]
    assert (info["hasNextPage"], info["hasPreviousPage"]) == (True, False)
    assert info["startCursor"] == info["endCursor"] == first["edges"][0]["cursor"]
    second = (await gql.data(PAGE, after=info["endCursor"]))["bulkActions"]
    assert (second["pageInfo"]["hasNextPage"], second["pageInfo"]["hasPreviousPage"]) == (
        False,
        True,
    )

    action_id = first["edges"][0]["node"]["id"]
    assert (await gql.data(NODE, id=action_id))["node"] == {"id": action_id, "actionType": "INSERT"}
    assert (await other_gql.data(NODE, id=action_id))["node"] is None  # another account's


BACKWARD = """
query($last: Int, $before: String, $first: Int, $after: String, $since: DateTime) {
  bulkActions(last: $last, before: $before, first: $first, after: $after, createdAfter: $since) {
    edges { cursor node { id } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
  entities(entityType: CONTACT, last: 2) { edges { node { id } } pageInfo { hasPreviousPage } }
  every: entities(entityType: CONTACT) { edges { node { id } } }
}
"""


async def test_lists_page_backward_with_last_and_before(gql: GraphQLClient) -> None:
    since = datetime.now(UTC).isoformat()
    made = []
    for n in range(5):
        created = await gql.create(
            entityType="CONTACT", actionType="INSERT", records=[{"email": f"b{n}@x.io"}]
        )
        made.append(created["id"])
    newest_first = made[::-1]

    def ids(page: dict[str, Any]) -> list[str]:
        return [edge["node"]["id"] for edge in page["edges"]]

    # The last two of the list (the oldest), then the two before them, in list order.
    end = (await gql.data(BACKWARD, last=2, since=since))["bulkActions"]
    assert ids(end) == newest_first[3:]
    assert (end["pageInfo"]["hasPreviousPage"], end["pageInfo"]["hasNextPage"]) == (True, False)
    earlier = await gql.data(BACKWARD, last=2, before=end["pageInfo"]["startCursor"], since=since)
    assert ids(earlier["bulkActions"]) == newest_first[1:3]
    assert earlier["bulkActions"]["pageInfo"]["hasNextPage"]
    start = await gql.data(
        BACKWARD, last=2, before=earlier["bulkActions"]["pageInfo"]["startCursor"], since=since
    )
    assert ids(start["bulkActions"]) == newest_first[:1]
    assert not start["bulkActions"]["pageInfo"]["hasPreviousPage"]
    # Between two cursors, either way.
    edges = (await gql.data(BACKWARD, first=5, since=since))["bulkActions"]["edges"]
    bounds = {"after": edges[0]["cursor"], "before": edges[4]["cursor"], "since": since}
    assert ids((await gql.data(BACKWARD, first=10, **bounds))["bulkActions"]) == newest_first[1:4]
    assert ids((await gql.data(BACKWARD, last=2, **bounds))["bulkActions"]) == newest_first[2:4]
    for action_id in made:
        await gql.wait(action_id)
    listed = await gql.data(BACKWARD, last=1, since=since)
    assert ids(listed["entities"]) == ids(listed["every"])[3:]
    assert listed["entities"]["pageInfo"]["hasPreviousPage"]

    with pytest.raises(GraphQLError) as refused:
        await gql.data(BACKWARD, first=1, last=1)
    assert refused.value.codes == ["BAD_USER_INPUT"]
    with pytest.raises(GraphQLError) as refused:
        await gql.data(BACKWARD, before="bG9nOjM3")  # a log cursor
    assert refused.value.codes == ["BAD_USER_INPUT"]


FILTERED = """
query($type: ActionType, $after: DateTime, $before: DateTime) {
  bulkActions(actionType: $type, createdAfter: $after, createdBefore: $before) {
    totalCount edges { node { id actionType } }
  }
}
"""


async def test_actions_are_filtered_by_type_and_creation_time(gql: GraphQLClient) -> None:
    inserted = await gql.create(
        entityType="CONTACT", actionType="INSERT", records=[{"email": "f@x.io"}]
    )
    await gql.create(entityType="CONTACT", actionType="DELETE", entityIds=[inserted["id"]])
    soon = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    earlier = (datetime.now(UTC) - timedelta(hours=1)).isoformat()

    inserts = (await gql.data(FILTERED, type="INSERT"))["bulkActions"]
    assert [edge["node"]["id"] for edge in inserts["edges"]] == [inserted["id"]]
    assert (await gql.data(FILTERED, after=soon))["bulkActions"]["totalCount"] == 0
    assert (await gql.data(FILTERED, after=earlier, before=soon))["bulkActions"]["totalCount"] == 2
    with pytest.raises(GraphQLError) as refused:
        await gql.data(FILTERED, after="2026-01-01T00:00:00")  # no time zone
    assert refused.value.codes == ["BAD_USER_INPUT"]
