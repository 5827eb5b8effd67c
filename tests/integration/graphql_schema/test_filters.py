"""Audiences by filter through GraphQL with real workers: the right entities and only them."""

import random
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from bson import ObjectId

from app.domain.entities.contact import Contact
from tests.integration.factories import contact_documents, store_contacts
from tests.integration.graphql_client import GraphQLClient, GraphQLError

COUNTRIES = ["DE", "AT", "FR", "US"]
TAGS = ["trial", "vip", "churned", "partner"]
COUNT = """
query($f: EntityFilter!) { countEntities(entityType: CONTACT, filter: $f) }
"""
MATCHING = """
query($f: EntityFilter!, $after: String) {
  entities(entityType: CONTACT, filter: $f, first: 1000, after: $after) {
    totalCount edges { node { id } } pageInfo { hasNextPage endCursor }
  }
}
"""
ACTIONS = "{ bulkActions(first: 100) { totalCount } }"


def contact(rng: random.Random, n: int, account: str) -> dict[str, Any]:
    data: dict[str, Any] = {
        "email": f"f{n}@example.com",
        "country": rng.choice(COUNTRIES),
        "tags": rng.sample(TAGS, rng.randint(0, 3)),
    }
    if rng.random() < 0.9:
        data["score"] = rng.randint(0, 99)
    return data


async def seed(account: str, count: int = 1500) -> tuple[list[dict[str, Any]], str]:
    """The same contacts in this account and in another one, stored directly; returns this
    account's and the other account's id."""
    rng = random.Random(11)
    data = [contact(rng, n, account) for n in range(count)]
    mine = contact_documents(account, data)
    other = f"other-{uuid.uuid4().hex[:8]}"
    await store_contacts(mine + contact_documents(other, data))
    return mine, other


def audience(docs: list[dict[str, Any]], holds: Callable[[dict[str, Any]], bool]) -> list[str]:
    return sorted(str(doc["_id"]) for doc in docs if holds(doc["data"]))


async def matching(gql: GraphQLClient, filter: dict[str, Any]) -> list[str]:
    found: list[str] = []
    after = None
    while True:
        page = (await gql.data(MATCHING, f=filter, after=after))["entities"]
        found += [edge["node"]["id"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            return found
        after = page["pageInfo"]["endCursor"]


TRIAL_IN_DACH_UNDER_20 = {
    "conditions": [
        {"field": "tags", "hasAny": ["trial"]},
        {"field": "country", "in": ["DE", "AT"]},
        {"field": "score", "gte": 5},
        {"field": "score", "lt": 20},
    ]
}


def trial_in_dach_under_20(data: dict[str, Any]) -> bool:
    score = data.get("score")
    return (
        "trial" in data["tags"]
        and data["country"] in ("DE", "AT")
        and score is not None
        and 5 <= score < 20
    )


async def test_update_by_filter_changes_exactly_the_matching_entities(
    gql: GraphQLClient, account: str
) -> None:
    docs, _ = await seed(account)
    expected = audience(docs, trial_in_dach_under_20)
    assert 20 < len(expected) < 200  # a real audience, not all or nothing
    assert (await gql.data(COUNT, f=TRIAL_IN_DACH_UNDER_20))["countEntities"] == len(expected)
    assert await matching(gql, TRIAL_IN_DACH_UNDER_20) == expected

    action = await gql.run(
        entityType="CONTACT",
        actionType="UPDATE",
        filter=TRIAL_IN_DACH_UNDER_20,
        fields={"company": "Filtered"},
    )
    assert action["status"] == "COMPLETED"
    stats = action["stats"]
    assert (stats["total"], stats["succeeded"], stats["failed"]) == (
        len(expected),
        len(expected),
        0,
    )
    logs = await gql.all_logs(action["id"])
    assert [log["entityId"] for log in logs] == expected  # in id order, each once
    changed = Contact.get_pymongo_collection().find({"data.company": "Filtered"}, {"_id": 1})
    assert sorted([str(doc["_id"]) async for doc in changed]) == expected  # no other account's


async def test_any_groups_are_alternatives(gql: GraphQLClient, account: str) -> None:
    docs, _ = await seed(account, 600)
    filter = {
        "conditions": [{"field": "score", "exists": True}],
        "any": [
            {"conditions": [{"field": "tags", "hasAll": ["vip", "partner"]}]},
            {"conditions": [{"field": "country", "eq": "FR"}, {"field": "score", "gt": 90}]},
        ],
    }

    def holds(data: dict[str, Any]) -> bool:
        if "score" not in data:
            return False
        return {"vip", "partner"} <= set(data["tags"]) or (
            data["country"] == "FR" and data["score"] > 90
        )

    expected = audience(docs, holds)
    assert (await gql.data(COUNT, f=filter))["countEntities"] == len(expected) > 0
    assert await matching(gql, filter) == expected


async def test_delete_by_filter_needs_all_to_mean_everything(
    gql: GraphQLClient, account: str
) -> None:
    docs, other = await seed(account, 300)
    with pytest.raises(GraphQLError) as refused:
        await gql.create(entityType="CONTACT", actionType="DELETE", filter={})
    assert refused.value.codes == ["BAD_USER_INPUT"]
    assert "`all: true`" in refused.value.errors[0]["message"]

    action = await gql.run(entityType="CONTACT", actionType="DELETE", filter={"all": True})
    assert action["stats"]["succeeded"] == len(docs)
    remaining = Contact.get_pymongo_collection()
    assert await remaining.count_documents({"account_id": account}) == 0
    assert await remaining.count_documents({"account_id": other}) == len(docs)


@pytest.mark.parametrize(
    ("input", "says"),
    [
        ({"filter": {"conditions": [{"field": "colour", "eq": "red"}]}}, "conditions[0].field"),
        ({"filter": {"conditions": [{"field": "city", "gt": 3}]}}, "`gt` does not apply"),
        ({"filter": {"conditions": [{"field": "score", "lt": "low"}]}}, "is not a number"),
        ({"filter": {"conditions": [{"field": "score", "lt": 1, "gt": 0}]}}, "exactly one"),
        ({"filter": {"any": [{"conditions": []}]}}, "filter.any[0]"),
        ({"filter": {"all": True}, "entityIds": [str(ObjectId())]}, "exactly one of"),
        ({"filter": {"all": True}, "fields": None}, "needs `fields`"),
    ],
)
async def test_a_bad_filter_is_refused_and_nothing_is_stored(
    gql: GraphQLClient, input: dict[str, Any], says: str
) -> None:
    before = (await gql.data(ACTIONS))["bulkActions"]["totalCount"]
    with pytest.raises(GraphQLError) as refused:
        await gql.create(
            entityType="CONTACT", actionType="UPDATE", **{"fields": {"company": "x"}, **input}
        )
    assert refused.value.codes == ["BAD_USER_INPUT"]
    assert says in refused.value.errors[0]["message"]
    assert (await gql.data(ACTIONS))["bulkActions"]["totalCount"] == before
    with pytest.raises(GraphQLError) as insert:
        await gql.create(entityType="CONTACT", actionType="INSERT", filter={"all": True})
    assert "does not take `filter`" in insert.value.errors[0]["message"]
