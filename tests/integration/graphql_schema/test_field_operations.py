"""UPDATE's field operations through GraphQL: exact counts, and UNCHANGED for rows that
already looked as asked."""

from typing import Any

from tests.integration.graphql_client import GraphQLClient


async def seed(gql: GraphQLClient) -> list[str]:
    records: list[dict[str, Any]] = [
        {"email": f"vip{n}@example.com", "tags": ["vip"]} for n in range(5)
    ] + [{"email": f"trial{n}@example.com", "tags": ["trial"], "phone": "555"} for n in range(5)]
    action = await gql.run(entityType="CONTACT", actionType="INSERT", records=records)
    logs = await gql.all_logs(action["id"])
    return [log["entityId"] for log in logs]


async def test_list_operations_and_unset_skip_what_already_looks_as_asked(
    gql: GraphQLClient,
) -> None:
    ids = await seed(gql)
    action = await gql.run(
        entityType="CONTACT",
        actionType="UPDATE",
        entityIds=ids,
        addToList={"tags": ["vip"]},
        unset=["phone"],
    )
    stats = action["stats"]
    assert (stats["succeeded"], stats["failed"], stats["skipped"]) == (5, 0, 5)
    skipped = await gql.all_logs(action["id"], status="SKIPPED")
    assert {log["reason"] for log in skipped} == {"UNCHANGED"}
    assert [log["row"] for log in skipped] == [1, 2, 3, 4, 5]
    stored = await gql.entities("CONTACT", ids)
    assert all("vip" in data["tags"] and "phone" not in data for data in stored.values())

    removed = await gql.run(
        entityType="CONTACT",
        actionType="UPDATE",
        filter={"conditions": [{"field": "tags", "hasAny": ["trial"]}]},
        removeFromList={"tags": ["trial"]},
        increment={"score": 3},
    )
    assert (removed["stats"]["total"], removed["stats"]["succeeded"]) == (5, 5)
    stored = await gql.entities("CONTACT", ids)
    assert sorted(tuple(data["tags"]) for data in stored.values()) == [("vip",)] * 10
    assert sorted(data.get("score") for data in stored.values() if "score" in data) == [3] * 5
