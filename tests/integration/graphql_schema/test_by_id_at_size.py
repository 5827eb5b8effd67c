"""UPDATE and DELETE of 1,000+ entities named by id, by records and by filter, among 2,000,
with exact counts; the database stays responsive meanwhile (a lookup per id once wedged
FerretDB's pool)."""

import asyncio
from collections import Counter
from typing import Any

from bson import ObjectId

from app.infra.mongo import db
from tests.integration.graphql_client import GraphQLClient
from tests.integration.graphql_schema.test_update_upsert_delete import seed


async def responsive_while(gql: GraphQLClient, action_id: str) -> dict[str, Any]:
    """Waits for the action, checking all along that the database answers a ping quickly."""
    waiting = asyncio.create_task(gql.wait(action_id))
    database = await db.connect()
    while not waiting.done():
        await asyncio.wait_for(database.command("ping"), 20)
        await asyncio.sleep(0.5)
    return await waiting


async def test_update_and_delete_of_1000_ids_among_2000(gql: GraphQLClient) -> None:
    seeded = await seed(gql, 2000, prefix="size")
    ids = [entity["id"] for entity in seeded]
    unknown = [str(ObjectId()) for _ in range(3)]

    created = await gql.create(
        entityType="CONTACT",
        actionType="UPDATE",
        entityIds=ids[:1200] + unknown,
        fields={"company": "Acme"},
    )
    updated = await responsive_while(gql, created["id"])
    stats = updated["stats"]
    assert (stats["succeeded"], stats["failed"], stats["skipped"]) == (1200, 3, 0)
    reasons = Counter(log["reason"] for log in await gql.all_logs(created["id"]))
    assert reasons == {"UPDATED": 1200, "NOT_FOUND": 3}

    by_records = await gql.run(
        entityType="CONTACT",
        actionType="UPDATE",
        records=[{"id": entity_id, "job_title": "CTO"} for entity_id in ids[800:1800]],
    )
    stats = by_records["stats"]
    assert (stats["succeeded"], stats["failed"], stats["skipped"]) == (1000, 0, 0)

    by_filter = await gql.create(
        entityType="CONTACT",
        actionType="UPDATE",
        filter={"conditions": [{"field": "job_title", "eq": "CTO"}]},
        addToList={"tags": ["board"]},
    )
    stats = (await responsive_while(gql, by_filter["id"]))["stats"]
    assert (stats["total"], stats["succeeded"], stats["failed"]) == (1000, 1000, 0)

    deleted = await gql.run(
        entityType="CONTACT",
        actionType="DELETE",
        records=[{"id": entity_id} for entity_id in ids[1000:] + unknown[:1]],
    )
    stats = deleted["stats"]
    assert (stats["succeeded"], stats["failed"], stats["skipped"]) == (1000, 1, 0)

    kept = {}
    for start in range(0, 1000, 500):
        kept.update(await gql.entities("CONTACT", ids[start : start + 500]))
    assert len(kept) == 1000
    assert all(data["company"] == "Acme" for data in kept.values())
    assert sum(data.get("job_title") == "CTO" for data in kept.values()) == 200
    assert sum("board" in data.get("tags", []) for data in kept.values()) == 200
    assert await gql.entities("CONTACT", ids[1000:1500]) == {}
