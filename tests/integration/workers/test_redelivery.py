"""A chunk message delivered again through Redis changes nothing."""

import asyncio
from collections import Counter

from bson import ObjectId

from app.domain.models import Chunk
from app.infra.redis import tasks
from tests.integration.graphql_client import GraphQLClient


async def test_redelivered_chunks_do_not_double_count_or_log(gql: GraphQLClient) -> None:
    records = [{"email": f"again{i}@example.com"} for i in range(1200)]
    action = await gql.run(entityType="CONTACT", actionType="INSERT", records=records)
    assert action["stats"]["succeeded"] == 1200
    assert action["stats"]["chunksTotal"] == 3

    chunks = Chunk.get_pymongo_collection()
    query = {"action_id": ObjectId(action["id"]), "done": True}
    mine = [doc["_id"] async for doc in chunks.find(query, {"_id": 1})]
    assert len(mine) == 3
    # As if the workers had died before their acks: the messages come again.
    await chunks.update_many({"_id": {"$in": mine}}, {"$set": {"done": False}})
    for chunk_id in mine:
        await asyncio.to_thread(tasks.send, tasks.PROCESS_CHUNK, str(chunk_id))
    for _ in range(300):
        if await chunks.count_documents({"_id": {"$in": mine}, "done": True}) == 3:
            break
        await asyncio.sleep(0.1)
    else:
        raise AssertionError("redelivered chunks were not processed")

    again = await gql.action(action["id"])
    assert again["stats"] == action["stats"]
    assert again["status"] == "COMPLETED"
    logs = await gql.all_logs(action["id"])
    assert len(logs) == 1200
    assert Counter(log["reason"] for log in logs) == {"INSERTED": 1200}
    count = await gql.data("{ entities(entityType: CONTACT) { totalCount } }")
    assert count["entities"]["totalCount"] == 1200
