"""A create that dies part-way leaves nothing that blocks or lingers: its idempotency key is
taken over by the next create, and input it stored without an action is deleted."""

import asyncio
import os
import signal
from datetime import timedelta

from beanie import PydanticObjectId
from bson import ObjectId

from app.domain.clock import utcnow
from app.domain.models import BulkAction, IdempotencyKey, InputBatch
from app.engine.sweeping import delete_orphaned_input
from app.infra.auth import issue_token
from app.infra.redis import keys, lease
from app.infra.redis.client import get_redis
from tests.integration.conftest import new_account, start_api
from tests.integration.graphql_client import CREATE, GraphQLClient, GraphQLError
from tests.support.polling import until


async def orphaned_batches() -> int:
    """Input batches whose action does not exist."""
    owners = {
        doc["action_id"]
        for doc in await InputBatch.get_pymongo_collection().find({}, {"action_id": 1}).to_list()
    }
    stored = {
        doc["_id"]
        for doc in await BulkAction.get_pymongo_collection()
        .find({"_id": {"$in": list(owners)}}, {"_id": 1})
        .to_list()
    }
    return len(owners - stored)


async def test_a_create_killed_mid_way_does_not_hold_its_key(
    api_url: str, gql: GraphQLClient, account: str
) -> None:
    records = [{"email": f"crash{n}@example.com"} for n in range(10_000)]
    input = {"entityType": "CONTACT", "actionType": "INSERT", "records": records}
    input["idempotencyKey"] = "nightly-import"
    doomed_url, doomed = start_api("api-doomed")
    async with GraphQLClient(doomed_url, issue_token(account)) as doomed_gql:
        sending = asyncio.create_task(doomed_gql.execute(CREATE, input=input))
        claim = keys.create_claim(IdempotencyKey.id_for(account, "nightly-import"))

        async def claimed() -> int:
            return int(await get_redis().exists(claim))

        await until(claimed, "the doomed create to claim its key", every=0.05)
        os.killpg(doomed.pid, signal.SIGKILL)
        doomed.wait()
        await asyncio.gather(sending, return_exceptions=True)

    deadline = asyncio.get_running_loop().time() + 120
    while True:
        try:
            created = await gql.create(**input)
            break
        except GraphQLError as refused:
            # Only "still in progress" until the dead create's lease lapses, with when to retry.
            assert refused.codes == ["CONFLICT"], refused.errors
            assert refused.errors[0]["extensions"]["retryAfter"] >= 1
            assert asyncio.get_running_loop().time() < deadline
            await asyncio.sleep(1)
    done = await gql.wait(created["id"])
    assert done["stats"]["total"] == 10_000
    assert done["stats"]["succeeded"] + done["stats"]["skipped"] == 10_000
    again = await gql.create(**input)
    assert again["id"] == created["id"]
    listed = await gql.data("{ bulkActions { totalCount } }")
    assert listed["bulkActions"]["totalCount"] == 1
    # Whatever the dead create had stored went with its claim.
    assert await orphaned_batches() == 0


async def test_a_dead_claim_is_taken_over_and_its_input_deleted(
    gql: GraphQLClient, account: str
) -> None:
    """The state a create leaves when it dies between claiming and storing its action, its
    lease lapsed: taken over at once, however young the claim."""
    dead_action = PydanticObjectId()
    await IdempotencyKey(id=IdempotencyKey.id_for(account, "k1"), action_id=dead_action).insert()
    await InputBatch(action_id=dead_action, seq=0, rows=[{"row": 1, "key": "x@y.io"}]).insert()
    created = await gql.create(
        entityType="CONTACT",
        actionType="INSERT",
        records=[{"email": "k1@example.com"}],
        idempotencyKey="k1",
    )
    assert created["id"] != str(dead_action)
    assert await InputBatch.find(InputBatch.action_id == dead_action).count() == 0
    assert (await gql.wait(created["id"]))["stats"]["succeeded"] == 1


async def test_a_claim_whose_create_lives_answers_conflict_and_when_to_retry(
    gql: GraphQLClient, account: str
) -> None:
    claim_id = IdempotencyKey.id_for(account, "busy")
    await IdempotencyKey(id=claim_id, action_id=PydanticObjectId()).insert()
    assert await lease.take(keys.create_claim(claim_id), 5000)  # its create at work elsewhere
    body = await gql.execute(
        CREATE,
        input={
            "entityType": "CONTACT",
            "actionType": "INSERT",
            "records": [{"email": "busy@example.com"}],
            "idempotencyKey": "busy",
        },
    )
    error = body["errors"][0]
    assert error["extensions"]["code"] == "CONFLICT"
    assert 1 <= error["extensions"]["retryAfter"] <= 5
    assert "in progress" in error["message"]


async def test_keys_of_accounts_with_separators_never_collide(api_url: str, database: None) -> None:
    base = new_account()
    pairs = [(f"{base}:x", "y"), (base, "x:y")]
    ids = []
    for account, key in pairs:
        async with GraphQLClient(api_url, issue_token(account)) as client:
            created = await client.create(
                entityType="CONTACT",
                actionType="INSERT",
                records=[{"email": "same@example.com"}],
                idempotencyKey=key,
            )
            ids.append(created["id"])
    assert ids[0] != ids[1]


async def test_orphaned_input_is_deleted_and_live_input_kept(
    gql: GraphQLClient, database: None
) -> None:
    live = await gql.create(
        entityType="CONTACT",
        actionType="INSERT",
        records=[{"email": "live@example.com"}],
        scheduledAt=(utcnow() + timedelta(hours=2)).isoformat(),
    )
    orphan_owner = PydanticObjectId()
    old = ObjectId.from_datetime(utcnow() - timedelta(hours=2))
    await InputBatch.get_pymongo_collection().insert_one(
        {"_id": old, "action_id": orphan_owner, "seq": 0, "rows": []}
    )
    young_owner = PydanticObjectId()
    await InputBatch(action_id=young_owner, seq=0, rows=[]).insert()
    live_id = PydanticObjectId(live["id"])
    await InputBatch.get_pymongo_collection().insert_one(
        {
            "_id": ObjectId.from_datetime(utcnow() - timedelta(hours=3)),
            "action_id": live_id,
            "seq": 1,
            "rows": [],
        }
    )

    assert await delete_orphaned_input() >= 1
    assert await InputBatch.find(InputBatch.action_id == orphan_owner).count() == 0
    assert await InputBatch.find(InputBatch.action_id == young_owner).count() == 1
    assert await InputBatch.find(InputBatch.action_id == live_id).count() == 2
    await InputBatch.find(InputBatch.action_id == young_owner).delete()
    await gql.data("mutation($id: ID!) { cancelBulkAction(id: $id) { id } }", id=live["id"])
