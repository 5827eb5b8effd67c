"""Restore through GraphQL with real workers: an UPDATE, a DELETE, an UPSERT and an INSERT (from
its logs) undone, the account's contacts exactly as before (a content hash), except entities
changed in between, which are left as they are and logged SKIPPED/CHANGED_SINCE; and every
refusal."""

import hashlib
from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from beanie import PydanticObjectId
from bson import ObjectId

from app.domain.clock import utcnow
from app.domain.entities.contact import Contact
from app.domain.models import BulkAction, IdempotencyKey
from app.domain.models.before_image import BeforeImageBlock
from app.infra.redis import keys, lease
from app.infra.redis.client import get_redis
from tests.integration.graphql_client import GraphQLClient, GraphQLError

RESTORE = """
mutation($id: ID!) {
  restoreBulkAction(id: $id) { id actionType restoreOf restoredBy canRestoreUntil }
}
"""
ACTION = "query($id: ID!) { bulkAction(id: $id) { restoredBy canRestoreUntil restoreOf } }"


async def contacts(account: str) -> dict[str, dict[str, Any]]:
    """The account's contacts, whole, by id."""
    found = Contact.get_pymongo_collection().find({"account_id": account})
    return {str(doc["_id"]): doc async for doc in found}


def content_hash(documents: dict[str, dict[str, Any]]) -> str:
    digest = hashlib.sha256()
    for entity_id in sorted(documents):
        digest.update(repr(sorted(documents[entity_id].items())).encode())
    return digest.hexdigest()


async def seed(gql: GraphQLClient, count: int, tag: str) -> list[str]:
    records = [
        {"email": f"{tag}{n}@example.com", "company": f"Co{n % 7}", "tags": ["old"]}
        if n % 2
        else {"email": f"{tag}{n}@example.com"}
        for n in range(count)
    ]
    done = await gql.run(entityType="CONTACT", actionType="INSERT", records=records)
    assert done["stats"]["succeeded"] == count
    return [log["entityId"] for log in await gql.all_logs(done["id"])]


async def restore(gql: GraphQLClient, action_id: str) -> dict[str, Any]:
    made = (await gql.data(RESTORE, id=action_id))["restoreBulkAction"]
    assert (made["actionType"], made["restoreOf"]) == ("RESTORE", action_id)
    assert made["canRestoreUntil"] is None  # a restore cannot be restored
    return await gql.wait(made["id"])


async def change_behind_its_back(gql: GraphQLClient, ids: list[str]) -> None:
    await gql.run(
        entityType="CONTACT", actionType="UPDATE", entityIds=ids, fields={"city": "Elsewhere"}
    )


@pytest.mark.slow(1)
@pytest.mark.timeout(600)
async def test_an_update_is_undone_except_where_changed_since(
    gql: GraphQLClient, account: str
) -> None:
    ids = await seed(gql, 3000, "up")
    before = await contacts(account)
    update = await gql.run(
        entityType="CONTACT",
        actionType="UPDATE",
        filter={"all": True},
        fields={"company": "Acme", "city": "Berlin"},
        addToList={"tags": ["campaign"]},
    )
    assert update["stats"]["succeeded"] == 3000
    assert content_hash(await contacts(account)) != content_hash(before)
    assert (await gql.data(ACTION, id=update["id"]))["bulkAction"]["canRestoreUntil"]
    changed = ids[:5]
    await change_behind_its_back(gql, changed)
    expected = before | {entity_id: (await contacts(account))[entity_id] for entity_id in changed}

    done = await restore(gql, update["id"])
    assert done["status"] == "COMPLETED"
    assert content_hash(await contacts(account)) == content_hash(expected)
    logs = await gql.all_logs(done["id"])
    assert Counter(log["reason"] for log in logs) == {"UPDATED": 2995, "CHANGED_SINCE": 5}
    assert {log["entityId"] for log in logs if log["reason"] == "CHANGED_SINCE"} == set(changed)
    # Each row names the original row it undoes.
    original = {log["entityId"]: log["row"] for log in await gql.all_logs(update["id"])}
    named = {log["entityId"]: log["sourceRow"] for log in logs}
    assert named == original

    seen = (await gql.data(ACTION, id=update["id"]))["bulkAction"]
    assert (seen["restoredBy"], seen["canRestoreUntil"]) == (done["id"], None)


@pytest.mark.timeout(600)
async def test_a_delete_is_undone_under_the_original_ids(gql: GraphQLClient, account: str) -> None:
    ids = await seed(gql, 1200, "del")
    before = await contacts(account)
    delete = await gql.run(entityType="CONTACT", actionType="DELETE", entityIds=ids[:1000])
    assert delete["stats"]["succeeded"] == 1000
    assert len(await contacts(account)) == 200
    # Someone makes a new contact with a deleted one's email: that one stays deleted.
    taken = before[ids[0]]["data"]["email"]
    await gql.run(entityType="CONTACT", actionType="INSERT", records=[{"email": taken}])
    expected = {key: doc for key, doc in before.items() if key != ids[0]}
    expected |= {
        entity_id: doc
        for entity_id, doc in (await contacts(account)).items()
        if entity_id not in before
    }

    done = await restore(gql, delete["id"])
    assert done["status"] == "COMPLETED"
    logs = await gql.all_logs(done["id"])
    assert Counter(log["reason"] for log in logs) == {"INSERTED": 999, "CHANGED_SINCE": 1}
    now = await contacts(account)
    assert set(now) == set(expected)
    assert [key for key in expected if now[key] != expected[key]] == []
    assert content_hash(now) == content_hash(expected)


@pytest.mark.timeout(600)
async def test_an_insert_is_undone_from_its_logs_except_where_changed_since(
    gql: GraphQLClient, account: str
) -> None:
    """An INSERT stores no before-images: its restore deletes the entities its logs say it
    inserted, except those changed since (their `updated_at` is no longer their
    `created_at`), and never the entity that already held a row's key (SKIPPED)."""
    held = await seed(gql, 1, "ins")  # ins0@example.com, held before the INSERT
    before = await contacts(account)
    records = [{"email": f"ins{n}@example.com", "company": f"Co{n % 5}"} for n in range(1200)]
    insert = await gql.run(entityType="CONTACT", actionType="INSERT", records=records)
    logs = await gql.all_logs(insert["id"])
    assert Counter(log["reason"] for log in logs) == {"INSERTED": 1199, "ALREADY_EXISTS": 1}
    stored_images = BeforeImageBlock.get_pymongo_collection()
    assert await stored_images.count_documents({"action_id": ObjectId(insert["id"])}) == 0
    inserted = [log["entityId"] for log in logs if log["reason"] == "INSERTED"]
    changed = inserted[:3]
    await change_behind_its_back(gql, changed)
    expected = before | {entity_id: (await contacts(account))[entity_id] for entity_id in changed}

    done = await restore(gql, insert["id"])
    assert done["status"] == "COMPLETED"
    restored = await gql.all_logs(done["id"])
    assert Counter(log["reason"] for log in restored) == {"DELETED": 1196, "CHANGED_SINCE": 3}
    assert {log["entityId"] for log in restored if log["reason"] == "CHANGED_SINCE"} == set(changed)
    original = {log["entityId"]: log["row"] for log in logs if log["reason"] == "INSERTED"}
    assert {log["entityId"]: log["sourceRow"] for log in restored} == original
    now = await contacts(account)
    assert set(now) == {*held, *changed}
    assert content_hash(now) == content_hash(expected)


@pytest.mark.slow(1)
@pytest.mark.timeout(600)
async def test_an_upsert_is_undone_new_entities_deleted(gql: GraphQLClient, account: str) -> None:
    await seed(gql, 1000, "ups")
    before = await contacts(account)
    records = [
        {"email": f"ups{n}@example.com", "company": "Upserted", "tags": ["new"]}
        for n in range(2000)
    ]
    upsert = await gql.run(entityType="CONTACT", actionType="UPSERT", records=records)
    assert Counter(log["reason"] for log in await gql.all_logs(upsert["id"])) == {
        "UPDATED": 1000,
        "INSERTED": 1000,
    }
    done = await restore(gql, upsert["id"])
    assert done["status"] == "COMPLETED"
    assert content_hash(await contacts(account)) == content_hash(before)


async def test_restore_is_refused_where_it_cannot_apply(
    gql: GraphQLClient, other_gql: GraphQLClient, account: str
) -> None:
    ids = await seed(gql, 3, "ref")
    update = await gql.run(
        entityType="CONTACT", actionType="UPDATE", entityIds=ids, fields={"city": "Rome"}
    )
    first = await restore(gql, update["id"])

    async def refused(client: GraphQLClient, action_id: str, code: str, says: str) -> None:
        with pytest.raises(GraphQLError) as error:
            await client.data(RESTORE, id=action_id)
        assert error.value.codes == [code]
        assert says in str(error.value)

    await refused(gql, update["id"], "BAD_USER_INPUT", "restored already")  # twice
    await refused(gql, first["id"], "BAD_USER_INPUT", "restore cannot be restored")
    await refused(other_gql, update["id"], "NOT_FOUND", "No bulk action")  # another account

    late = await gql.run(
        entityType="CONTACT", actionType="UPDATE", entityIds=ids, fields={"city": "Oslo"}
    )
    await BulkAction.get_pymongo_collection().update_one(
        {"_id": ObjectId(late["id"])}, {"$set": {"finished_at": utcnow() - timedelta(days=31)}}
    )
    await refused(gql, late["id"], "BAD_USER_INPUT", "RESTORE_RETENTION_DAYS")
    assert (await gql.data(ACTION, id=late["id"]))["bulkAction"]["canRestoreUntil"] is not None

    dry = await gql.run(entityType="CONTACT", actionType="DELETE", entityIds=ids, dryRun=True)
    await refused(gql, dry["id"], "BAD_USER_INPUT", "dry run")
    export = await gql.run(entityType="CONTACT", actionType="EXPORT", entityIds=ids)
    await refused(gql, export["id"], "BAD_USER_INPUT", "nothing to restore")
    with pytest.raises(GraphQLError) as direct:
        await gql.create(entityType="CONTACT", actionType="RESTORE", entityIds=ids)
    assert direct.value.codes == ["BAD_USER_INPUT"]


async def test_a_restore_whose_request_died_after_claiming_is_taken_over(
    gql: GraphQLClient, account: str
) -> None:
    ids = await seed(gql, 3, "dead")
    update = await gql.run(
        entityType="CONTACT", actionType="UPDATE", entityIds=ids, fields={"city": "Lima"}
    )
    # A request that claimed the restore and died before storing its action: while its
    # process's lease on the claim lives the next one is asked to retry (CONFLICT); once the
    # lease has lapsed, the next one takes the claim over.
    claim = IdempotencyKey(
        id=IdempotencyKey.follow_up_id(account, "restore", update["id"]),
        action_id=PydanticObjectId(),
    )
    await claim.insert()
    assert await lease.take(keys.create_claim(claim.id), 60_000)
    with pytest.raises(GraphQLError) as busy:
        await gql.data(RESTORE, id=update["id"])
    assert busy.value.codes == ["CONFLICT"]
    assert "retry in" in str(busy.value)
    await get_redis().delete(keys.create_claim(claim.id))  # as when its process died
    done = await restore(gql, update["id"])
    assert done["status"] == "COMPLETED"
    assert {doc["data"].get("city") for doc in (await contacts(account)).values()} == {None}
