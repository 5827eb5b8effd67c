"""Dry runs through GraphQL with real workers: every row's outcome as it would be, nothing
written, nothing charged to the limit; runBulkAction makes one real."""

from collections import Counter
from typing import Any

import pytest

from app.domain.entities.contact import Contact
from tests.integration.graphql_client import GraphQLClient, GraphQLError
from tests.integration.pacing_helpers import set_limit

RUN = "mutation($id: ID!) { runBulkAction(id: $id) { id dryRun runOf } }"
DRY = "query($id: ID!) { bulkAction(id: $id) { dryRun } }"
USED = "{ accountRateLimit { used bookedAhead } }"


async def reasons(gql: GraphQLClient, action_id: str) -> Counter[str]:
    return Counter(log["reason"] for log in await gql.all_logs(action_id))


async def stored(account: str) -> dict[str, dict[str, Any]]:
    found = Contact.get_pymongo_collection().find({"account_id": account})
    return {doc["key"]: doc["data"] async for doc in found}


async def test_a_dry_insert_forecasts_and_writes_nothing_until_it_is_run(
    gql: GraphQLClient, account: str
) -> None:
    await gql.run(
        entityType="CONTACT",
        actionType="INSERT",
        records=[{"email": "old0@example.com"}, {"email": "old1@example.com"}],
    )
    before = await stored(account)
    records = [{"email": f"new{n}@example.com"} for n in range(3)]
    records += [{"email": "old0@example.com"}, {"email": "OLD1@example.com"}, records[0]]
    dry = await gql.run(entityType="CONTACT", actionType="INSERT", records=records, dryRun=True)
    assert (await gql.data(DRY, id=dry["id"]))["bulkAction"]["dryRun"] is True
    forecast = await reasons(gql, dry["id"])
    assert forecast == {"INSERTED": 3, "ALREADY_EXISTS": 2, "DUPLICATE_IN_INPUT": 1}
    assert (dry["stats"]["succeeded"], dry["stats"]["skipped"]) == (3, 3)
    assert await stored(account) == before

    real = (await gql.data(RUN, id=dry["id"]))["runBulkAction"]
    assert (real["dryRun"], real["runOf"]) == (False, dry["id"])
    done = await gql.wait(real["id"])
    assert await reasons(gql, done["id"]) == forecast
    assert len(await stored(account)) == 5
    again = (await gql.data(RUN, id=dry["id"]))["runBulkAction"]
    assert again["id"] == real["id"]  # asked again: the same action
    with pytest.raises(GraphQLError) as refused:
        await gql.data(RUN, id=real["id"])
    assert refused.value.codes == ["BAD_USER_INPUT"]


async def test_dry_updates_and_deletes_change_nothing(gql: GraphQLClient, account: str) -> None:
    seeded = await gql.run(
        entityType="CONTACT",
        actionType="INSERT",
        records=[
            {"email": f"d{n}@example.com", "tags": ["vip"] if n < 2 else []} for n in range(5)
        ],
    )
    ids = [log["entityId"] for log in await gql.all_logs(seeded["id"])]
    before = await stored(account)
    update = await gql.run(
        entityType="CONTACT",
        actionType="UPDATE",
        filter={"all": True},
        addToList={"tags": ["vip"]},
        dryRun=True,
    )
    assert await reasons(gql, update["id"]) == {"UPDATED": 3, "UNCHANGED": 2}
    delete = await gql.run(
        entityType="CONTACT",
        actionType="DELETE",
        entityIds=[*ids, "6b0000000000000000000000"],
        dryRun=True,
    )
    assert await reasons(gql, delete["id"]) == {"DELETED": 5, "NOT_FOUND": 1}
    assert await stored(account) == before


async def test_a_dry_run_is_not_charged_to_the_limit(
    gql: GraphQLClient, admin_gql: GraphQLClient, account: str
) -> None:
    await set_limit(admin_gql, account, 10)  # 50 rows would take five minutes
    records = [{"email": f"free{n}@example.com"} for n in range(50)]
    dry = await gql.run(entityType="CONTACT", actionType="INSERT", records=records, dryRun=True)
    assert dry["stats"]["succeeded"] == 50
    limit = (await gql.data(USED))["accountRateLimit"]
    assert (limit["used"], limit["bookedAhead"]) == (0, 0)


@pytest.mark.timeout(600)
async def test_a_5000_row_dry_insert_forecasts_the_real_run_exactly(
    gql: GraphQLClient, account: str
) -> None:
    await gql.run(
        entityType="CONTACT",
        actionType="INSERT",
        records=[{"email": f"pre{n}@example.com", "city": "Old"} for n in range(500)],
    )
    records: list[dict[str, Any]] = [{"email": f"pre{n}@example.com"} for n in range(250)]
    records += [{"email": f"fresh{n}@example.com", "score": n % 50} for n in range(4500)]
    records += records[-250:]  # repeated in the input; the first 250 keys are held already
    assert len(records) == 5000
    contacts = Contact.get_pymongo_collection()
    before = [doc async for doc in contacts.find({"account_id": account}).sort("_id", 1)]

    dry = await gql.run(entityType="CONTACT", actionType="INSERT", records=records, dryRun=True)
    forecast = await reasons(gql, dry["id"])
    assert forecast == {"INSERTED": 4500, "ALREADY_EXISTS": 250, "DUPLICATE_IN_INPUT": 250}
    after = [doc async for doc in contacts.find({"account_id": account}).sort("_id", 1)]
    assert after == before  # every document, every field: nothing written

    real = await gql.wait((await gql.data(RUN, id=dry["id"]))["runBulkAction"]["id"])
    assert await reasons(gql, real["id"]) == forecast
    assert {key: real["stats"][key] for key in ("succeeded", "skipped", "failed")} == {
        key: dry["stats"][key] for key in ("succeeded", "skipped", "failed")
    }
    assert await contacts.count_documents({"account_id": account}) == 500 + 4500
