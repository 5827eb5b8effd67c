"""UPDATE, UPSERT and DELETE through GraphQL with real workers."""

from collections import Counter
from typing import Any

from bson import ObjectId

from tests.integration.graphql_client import GraphQLClient


async def seed(gql: GraphQLClient, count: int, prefix: str = "seed") -> list[dict[str, Any]]:
    records = [{"email": f"{prefix}{i}@example.com", "first_name": f"S{i}"} for i in range(count)]
    action = await gql.run(entityType="CONTACT", actionType="INSERT", records=records)
    logs = await gql.all_logs(action["id"])
    return [{"id": log["entityId"], **records[log["row"] - 1]} for log in logs]


async def test_update_by_ids_including_unknown_ids(gql: GraphQLClient) -> None:
    seeded = await seed(gql, 20)
    unknown = [str(ObjectId()) for _ in range(3)]
    ids = [entity["id"] for entity in seeded]
    action = await gql.run(
        entityType="CONTACT",
        actionType="UPDATE",
        entityIds=ids[:10] + unknown + ids[10:],
        fields={"lifecycle_stage": "customer", "score": 7},
    )
    stats = action["stats"]
    assert (stats["succeeded"], stats["failed"], stats["skipped"]) == (20, 3, 0)
    assert action["status"] == "COMPLETED_WITH_ERRORS"
    failed = await gql.all_logs(action["id"], status="FAILED")
    assert [(log["row"], log["reason"], log["entityId"]) for log in failed] == [
        (11, "NOT_FOUND", unknown[0]),
        (12, "NOT_FOUND", unknown[1]),
        (13, "NOT_FOUND", unknown[2]),
    ]
    stored = await gql.entities("CONTACT", ids)
    assert all(
        data["lifecycle_stage"] == "customer" and data["score"] == 7 for data in stored.values()
    )
    assert stored[ids[0]]["first_name"] == "S0"


async def test_update_by_records_sets_each_row(gql: GraphQLClient) -> None:
    seeded = await seed(gql, 5, prefix="rec")
    records = [{"id": e["id"], "job_title": f"title {n}"} for n, e in enumerate(seeded)]
    records.append({"id": seeded[0]["id"], "job_title": "again"})
    action = await gql.run(entityType="CONTACT", actionType="UPDATE", records=records)
    stats = action["stats"]
    assert (stats["succeeded"], stats["failed"], stats["skipped"]) == (5, 0, 1)
    stored = await gql.entities("CONTACT", [e["id"] for e in seeded])
    assert [stored[e["id"]]["job_title"] for e in seeded] == [f"title {n}" for n in range(5)]


async def test_upsert_updates_existing_and_inserts_new(gql: GraphQLClient) -> None:
    seeded = await seed(gql, 10, prefix="up")
    records = [{"email": e["email"].upper(), "first_name": "Changed"} for e in seeded]
    records += [{"email": f"new{i}@example.com", "first_name": "New"} for i in range(10)]
    action = await gql.run(entityType="CONTACT", actionType="UPSERT", records=records)
    stats = action["stats"]
    assert (stats["succeeded"], stats["failed"], stats["skipped"]) == (20, 0, 0)
    logs = await gql.all_logs(action["id"])
    assert Counter(log["reason"] for log in logs) == {"UPDATED": 10, "INSERTED": 10}
    assert [log["entityId"] for log in logs[:10]] == [e["id"] for e in seeded]
    stored = await gql.entities("CONTACT", [log["entityId"] for log in logs])
    assert len(stored) == 20
    assert {data["first_name"] for data in stored.values()} == {"Changed", "New"}
    assert stored[seeded[0]["id"]]["email"] == seeded[0]["email"]


async def test_delete_by_ids(gql: GraphQLClient) -> None:
    seeded = await seed(gql, 6, prefix="del")
    ids = [e["id"] for e in seeded[:5]]
    unknown = str(ObjectId())
    action = await gql.run(
        entityType="CONTACT", actionType="DELETE", entityIds=[*ids, unknown, ids[0]]
    )
    stats = action["stats"]
    assert (stats["succeeded"], stats["failed"], stats["skipped"]) == (5, 1, 1)
    logs = await gql.all_logs(action["id"])
    assert [log["reason"] for log in logs] == ["DELETED"] * 5 + ["NOT_FOUND", "DUPLICATE_IN_INPUT"]
    remaining = await gql.entities("CONTACT", [e["id"] for e in seeded])
    assert list(remaining) == [seeded[5]["id"]]


async def test_company_upsert_normalises_domain(gql: GraphQLClient) -> None:
    action = await gql.run(
        entityType="COMPANY",
        actionType="UPSERT",
        records=[
            {"domain": " Acme.COM ", "name": "Acme", "employee_count": 10},
            {"domain": "acme.com", "name": "Acme again"},
            {"domain": "globex.io", "name": "Globex"},
        ],
    )
    stats = action["stats"]
    assert (stats["succeeded"], stats["failed"], stats["skipped"]) == (2, 0, 1)
    companies = await gql.entities("COMPANY", None)
    domains = sorted(data["domain"] for data in companies.values())
    assert domains == ["acme.com", "globex.io"]
