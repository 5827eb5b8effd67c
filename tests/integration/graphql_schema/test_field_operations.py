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


async def test_an_operation_past_a_fields_bounds_fails_only_its_row(gql: GraphQLClient) -> None:
    """addToList may not take a list past its 100 items, nor an increment a number past a
    64-bit integer: that target fails alone, INVALID, naming the field, and keeps its value;
    the others are updated (once, a list grew past its bound, 101 items and more with each
    action, and the increment's value reached the write, which the driver cannot encode)."""
    full = [f"t{n:02d}" for n in range(99)]
    records = [
        {"email": "full@example.com", "tags": full, "score": 2**63 - 1},
        {"email": "room@example.com", "tags": ["t00"], "score": 1},
    ]
    seeded = await gql.run(entityType="CONTACT", actionType="INSERT", records=records)
    ids = [log["entityId"] for log in await gql.all_logs(seeded["id"])]
    for operation, expected in (
        ({"addToList": {"tags": ["new1", "new2"]}}, "tags: would hold 101 items, at most 100"),
        ({"increment": {"score": 1}}, "score: 9223372036854775807 + 1 is beyond a 64-bit"),
    ):
        action = await gql.run(
            entityType="CONTACT", actionType="UPDATE", entityIds=ids, **operation
        )
        stats = action["stats"]
        assert (stats["succeeded"], stats["failed"]) == (1, 1), operation
        failed = await gql.all_logs(action["id"], status="FAILED")
        assert [(log["row"], log["reason"], log["entityId"]) for log in failed] == [
            (1, "INVALID", ids[0])
        ]
        assert expected in failed[0]["message"], failed
    stored = await gql.entities("CONTACT", ids)
    assert (stored[ids[0]]["tags"], stored[ids[0]]["score"]) == (full, 2**63 - 1)
    assert (stored[ids[1]]["tags"], stored[ids[1]]["score"]) == (["t00", "new1", "new2"], 2)
