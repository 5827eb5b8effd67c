"""Retention, with the sweep's clock moved forward: an ended action drops its working data
(its input at once; its rows, upload and decisions, which its restore makes its before-images
from, once the restore and retry window closes)
and keeps itself, its counts and its logs; refused creates and abandoned uploads keep no
file; logs expire LOG_RETENTION_DAYS after they were written."""

from datetime import timedelta
from typing import Any

import pytest
from bson import ObjectId

from app.domain.clock import utcnow
from app.domain.entities.contact import Contact
from app.domain.models import (
    BulkAction,
    Chunk,
    ChunkDecision,
    ChunkRows,
    CustomFieldDefinition,
    DeletionClaim,
    LogBlock,
    WorkingData,
)
from app.engine import retention
from app.infra.files import uploads
from app.infra.mongo import actions as stored_actions
from app.infra.mongo import db
from app.infra.settings import get_settings
from tests.integration.graphql_client import GraphQLClient, GraphQLError, multipart_create, upload

RETRY = "mutation($id: ID!) { retryBulkAction(id: $id) { id } }"
RESTORE = "mutation($id: ID!) { restoreBulkAction(id: $id) { id } }"
CSV = b"email,score\n" + b"".join(b"r%d@example.com,%d\n" % (n, n) for n in range(1, 1200))
BAD_CSV = CSV + b"bad@example.com,not-a-number\n"


def later(days: float = 0, hours: float = 0) -> Any:
    return utcnow() + timedelta(days=days, hours=hours)


async def swept_until(action_id: ObjectId, state: WorkingData, days: float) -> BulkAction:
    """Sweeps (each sweep takes a bounded number of actions) until the action is in `state`."""
    for _ in range(500):
        await retention.sweep(later(days=days))
        action = await BulkAction.get(action_id)
        assert action is not None
        if action.working_data is state:
            return action
    raise AssertionError(f"never {state}")


async def stored(document: Any, chunk_ids: list[str]) -> int:
    collection = document.get_pymongo_collection()
    return int(await collection.count_documents({"_id": {"$in": chunk_ids}}))


async def read_from_upload(chunk_ids: list[str]) -> int:
    """Chunks that keep no copy of their rows: they read them from their upload's bytes."""
    query = {"_id": {"$in": chunk_ids}, "upload_from": {"$ne": None}}
    return int(await Chunk.get_pymongo_collection().count_documents(query))


async def file_exists(upload_id: str) -> bool:
    return await uploads.db_files().find_one({"_id": ObjectId(upload_id)}) is not None


async def upserted(
    gql: GraphQLClient, data: bytes, **more: Any
) -> tuple[str, dict[str, Any], ObjectId, list[str]]:
    """An UPSERT of the uploaded CSV, run to its end: its upload, the ended action, its id and
    its three chunks' ids, each of which stored its decisions."""
    upload_id = (await upload(gql, data)).json()["uploadId"]
    done = await gql.run(entityType="CONTACT", actionType="UPSERT", uploadId=upload_id, **more)
    action_id = ObjectId(done["id"])
    chunk_ids = [
        c["_id"] async for c in Chunk.get_pymongo_collection().find({"action_id": action_id})
    ]
    assert await stored(ChunkDecision, chunk_ids) == len(chunk_ids) == 3
    return upload_id, done, action_id, chunk_ids


@pytest.mark.slow(2)
async def test_an_ended_action_keeps_what_retry_needs_for_its_window(gql: GraphQLClient) -> None:
    # An UPSERT: its chunks keep decisions (an INSERT's keep none), its restore's images.
    upload_id, done, action_id, chunk_ids = await upserted(gql, BAD_CSV)

    await swept_until(action_id, WorkingData.FOR_RETRY, days=0)
    assert await stored(ChunkDecision, chunk_ids) == 3
    # Their rows are the upload's, which is kept.
    assert await read_from_upload(chunk_ids) == 3
    assert await stored(ChunkRows, chunk_ids) == 0
    assert await file_exists(upload_id)
    retry = (await gql.data(RETRY, id=done["id"]))["retryBulkAction"]
    assert (await gql.wait(retry["id"]))["stats"]["total"] == 1
    restore = (await gql.data(RESTORE, id=done["id"]))["restoreBulkAction"]
    restored = await gql.wait(restore["id"])
    assert (restored["status"], restored["stats"]["succeeded"]) == ("COMPLETED", 1199)

    window = get_settings().restore_retention_days
    await swept_until(action_id, WorkingData.DELETED, days=window + 1)
    assert await stored(ChunkRows, chunk_ids) == 0
    assert await stored(ChunkDecision, chunk_ids) == 0
    assert not await file_exists(upload_id)
    # The action, its counts and its logs stay.
    kept = await gql.action(done["id"])
    assert kept["stats"] == done["stats"]
    assert len(await gql.all_logs(done["id"])) == 1200
    with pytest.raises(GraphQLError) as refused:
        await gql.data(RETRY, id=done["id"])
    assert refused.value.codes == ["BAD_USER_INPUT"]


async def test_an_ended_action_no_restore_reads_drops_its_decisions_at_once(
    gql: GraphQLClient,
) -> None:
    # A dry run changed nothing, so nothing restores it: its decisions serve no one.
    _, _, action_id, chunk_ids = await upserted(gql, CSV, dryRun=True)

    await swept_until(action_id, WorkingData.FOR_RETRY, days=0)
    assert await stored(ChunkDecision, chunk_ids) == 0


async def test_a_delete_keeps_its_deletion_claims_while_it_may_be_restored(
    gql: GraphQLClient,
) -> None:
    """Its claims tell a racing DELETE, and its own chunks delivered again, which entities it
    deleted: kept through the restore window, then let go."""
    records = [{"email": f"claimed{n}@example.com"} for n in range(3)]
    inserted = await gql.run(entityType="CONTACT", actionType="INSERT", records=records)
    ids = [log["entityId"] for log in await gql.all_logs(inserted["id"])]
    done = await gql.run(entityType="CONTACT", actionType="DELETE", entityIds=ids)
    assert done["stats"]["succeeded"] == 3
    action_id = ObjectId(done["id"])
    claims = DeletionClaim.get_pymongo_collection()

    await swept_until(action_id, WorkingData.FOR_RETRY, days=0)
    assert await claims.count_documents({"action_id": action_id}) == 3
    window = get_settings().restore_retention_days
    await swept_until(action_id, WorkingData.DELETED, days=window + 1)
    assert await claims.count_documents({"action_id": action_id}) == 0


async def files_of(account: str) -> int:
    return int(await uploads.db_files().count_documents({"metadata.account_id": account}))


async def test_refused_creates_and_abandoned_uploads_keep_no_file(
    gql: GraphQLClient, account: str
) -> None:
    # An UPDATE needs an id column: refused, and its file is gone with it.
    body = await multipart_create(gql, CSV, entityType="CONTACT", actionType="UPDATE")
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert await files_of(account) == 0

    abandoned = (await upload(gql, CSV)).json()["uploadId"]
    used = (await upload(gql, CSV)).json()["uploadId"]
    await gql.run(entityType="CONTACT", actionType="INSERT", uploadId=used)
    await retention.sweep(later(hours=get_settings().upload_retention_hours - 1))
    assert await file_exists(abandoned)
    for _ in range(50):  # oldest first, a batch at a time
        await retention.sweep(later(hours=get_settings().upload_retention_hours + 1))
        if not await file_exists(abandoned):
            break
    assert not await file_exists(abandoned)
    assert await file_exists(used)  # kept for its action's retry window


async def test_logs_expire_after_their_retention(gql: GraphQLClient) -> None:
    done = await gql.run(entityType="CONTACT", actionType="INSERT", records=[{"email": "l@x.io"}])
    blocks = LogBlock.get_pymongo_collection()
    block = await blocks.find_one({"action_id": ObjectId(done["id"])})
    assert block is not None
    assert block["expires_at"] - block["at"] == timedelta(days=get_settings().log_retention_days)
    if not db.is_ferretdb():  # mongod deletes them itself
        indexes = await blocks.index_information()
        assert any(
            index["key"] == [("expires_at", 1)] and index.get("expireAfterSeconds") == 0
            for index in indexes.values()
        )
    await retention.sweep(later(days=get_settings().log_retention_days - 1))
    assert await gql.all_logs(done["id"])
    await retention.sweep(later(days=get_settings().log_retention_days + 1))
    assert await gql.all_logs(done["id"]) == []


async def test_a_sweep_killed_between_its_deletes_and_its_mark_is_finished_by_the_next(
    gql: GraphQLClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each step is found again from the database: a sweep that dies after deleting and
    before marking (or before deleting the upload) leaves work the next sweep completes."""
    upload_id = (await upload(gql, CSV)).json()["uploadId"]
    done = await gql.run(entityType="CONTACT", actionType="INSERT", uploadId=upload_id)
    action_id = ObjectId(done["id"])
    chunk_ids = [
        c["_id"] async for c in Chunk.get_pymongo_collection().find({"action_id": action_id})
    ]
    mark, delete_upload = stored_actions.mark_working_data, uploads.delete
    died: list[str] = []

    def dies_at(original: Any, step: str) -> Any:
        """`original`, except that the process dies when it comes to this action."""

        async def step_of(target: Any, *args: Any) -> Any:
            if str(target) in (str(action_id), upload_id):
                died.append(step)
                raise RuntimeError("the sweeping process died here")
            return await original(target, *args)

        return step_of

    async def sweep_until_it_dies(days: float) -> None:
        for _ in range(500):  # a sweep takes a few actions at a time
            try:
                await retention.sweep(later(days=days))
            except RuntimeError:
                return
            now = await BulkAction.get(action_id)
            if now is not None and now.working_data is not WorkingData.KEPT:
                return  # the suite's own sweeper (every few minutes) took this step first

    monkeypatch.setattr(stored_actions, "mark_working_data", dies_at(mark, "mark"))
    await sweep_until_it_dies(days=0)
    if died:
        assert await stored(ChunkDecision, chunk_ids) == 0  # deleted, not marked
    monkeypatch.setattr(stored_actions, "mark_working_data", mark)
    await swept_until(action_id, WorkingData.FOR_RETRY, days=0)
    assert await read_from_upload(chunk_ids) == len(chunk_ids)
    assert await file_exists(upload_id)

    window = get_settings().restore_retention_days
    died.clear()
    monkeypatch.setattr(uploads, "delete", dies_at(delete_upload, "upload"))
    for _ in range(500):
        try:
            await retention.sweep(later(days=window + 1))
        except RuntimeError:
            break
    assert died == ["upload"]
    assert await stored(ChunkRows, chunk_ids) == 0
    assert await file_exists(upload_id)
    monkeypatch.setattr(uploads, "delete", delete_upload)
    await swept_until(action_id, WorkingData.DELETED, days=window + 1)
    assert not await file_exists(upload_id)
    assert (await gql.action(done["id"]))["stats"] == done["stats"]


async def test_a_deleted_custom_field_keeps_its_values_for_restores_then_loses_them(
    gql: GraphQLClient, account: str
) -> None:
    """A deleted custom field's values stay in the entities (hidden) through the restore
    window, so a restore of an earlier action puts them back; the first sweep after the
    window unsets them, the unique slot too, and drops the definition."""
    define = "mutation($i: DefineCustomFieldInput!) { defineCustomField(input: $i) { name } }"
    field = {"entityType": "CONTACT", "name": "ext", "kind": "TEXT", "unique": True}
    await gql.data(define, i=field)
    inserted = await gql.run(
        entityType="CONTACT",
        actionType="INSERT",
        records=[{"email": f"k{n}@example.com", "ext": f"K{n}"} for n in range(3)],
    )
    changed = await gql.run(
        entityType="CONTACT",
        actionType="UPDATE",
        filter={"all": True},
        unset=["ext"],
    )
    assert changed["stats"]["succeeded"] == 3
    delete = 'mutation { deleteCustomField(entityType: CONTACT, name: "ext") }'
    assert (await gql.data(delete))["deleteCustomField"] is True
    restored = await gql.wait(
        (await gql.data(RESTORE, id=changed["id"]))["restoreBulkAction"]["id"]
    )
    assert restored["stats"]["succeeded"] == 3
    contacts = Contact.get_pymongo_collection()
    held = await contacts.find({"account_id": account}).to_list()
    assert sorted(doc["data"]["ext"] for doc in held) == ["K0", "K1", "K2"]
    assert sorted(doc["unique_1"] for doc in held) == ["K0", "K1", "K2"]
    assert all("ext" not in data for data in (await gql.entities("CONTACT", None)).values())

    await retention.sweep(later(days=get_settings().restore_retention_days - 1))
    assert await contacts.count_documents({"account_id": account, "data.ext": {"$exists": True}})
    for _ in range(50):
        await retention.sweep(later(days=get_settings().restore_retention_days + 1))
        if not await contacts.count_documents(
            {"account_id": account, "unique_1": {"$exists": True}}
        ):
            break
    assert (
        await contacts.count_documents({"account_id": account, "data.ext": {"$exists": True}}) == 0
    )
    definitions = CustomFieldDefinition.get_pymongo_collection()
    assert await definitions.count_documents({"account_id": account}) == 0
    assert inserted["stats"]["succeeded"] == 3


async def test_audit_events_outlive_their_action_until_their_own_retention(
    gql: GraphQLClient,
) -> None:
    """An action's audit events stay when everything else of it is deleted, for
    AUDIT_RETENTION_DAYS, and go after."""
    done = await gql.run(entityType="CONTACT", actionType="INSERT", records=[{"email": "a@x.io"}])
    trail = "query($id: ID) { auditEvents(first: 5, actionId: $id) { totalCount } }"

    async def events() -> int:
        return int((await gql.data(trail, id=done["id"]))["auditEvents"]["totalCount"])

    assert await events() == 1
    kept = get_settings().audit_retention_days
    # Past the logs' and the working data's retention: the action's event stays.
    await retention.sweep(later(days=get_settings().restore_retention_days + 1))
    await retention.sweep(later(days=get_settings().log_retention_days + 1))
    assert await gql.all_logs(done["id"]) == [] and await events() == 1
    await retention.sweep(later(days=kept - 1))
    assert await events() == 1
    await retention.sweep(later(days=kept + 1))
    assert await events() == 0
