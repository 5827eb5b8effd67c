"""EXPORT through GraphQL with real workers: the file holds the header and exactly the
matching entities, is served only once the action ended and only to its account, and
imports back as it is."""

import csv
import io
from typing import Any

import pytest

from app.domain.entities.contact import Contact
from tests.integration.factories import contact_documents, store_contacts
from tests.integration.graphql_client import GraphQLClient

MATCHING = 20_000


async def seed(account: str) -> dict[str, dict[str, Any]]:
    """20,000 contacts tagged `export` and 1,000 not, stored directly; the tagged by id."""
    data = [
        {
            "email": f"x{n}@example.com",
            "first_name": f'Name, "{n}"',  # a comma and quotes: CSV quoting round trip
            "tags": ["export", "eu"] if n < MATCHING else ["other"],
            "score": n % 100,
            "unsubscribed": n % 2 == 0,
        }
        for n in range(MATCHING + 1000)
    ]
    docs = contact_documents(account, data)
    await store_contacts(docs)
    return {str(doc["_id"]): doc["data"] for doc in docs[:MATCHING]}


@pytest.mark.slow(4)
@pytest.mark.timeout(600)
async def test_export_by_filter_and_import_it_back(
    gql: GraphQLClient, other_gql: GraphQLClient, account: str
) -> None:
    tagged = await seed(account)
    created = await gql.create(
        entityType="CONTACT",
        actionType="EXPORT",
        filter={"conditions": [{"field": "tags", "hasAny": ["export"]}]},
        columns=["id", "email", "first_name", "tags", "score", "unsubscribed"],
    )
    early = await gql.http.get(f"/bulk-actions/{created['id']}/export.csv")
    if early.status_code != 200:  # it may already have ended on a fast machine
        assert early.status_code == 409
        assert early.json()["error"]["code"] == "CONFLICT"
    action = await gql.wait(created["id"], timeout=500)
    assert action["status"] == "COMPLETED"
    assert (action["stats"]["total"], action["stats"]["succeeded"]) == (MATCHING, MATCHING)

    url = f"/bulk-actions/{created['id']}/export.csv"
    assert (await other_gql.http.get(url)).status_code == 404
    response = await gql.http.get(url)
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == ["id", "email", "first_name", "tags", "score", "unsubscribed"]
    assert len(rows) == MATCHING + 1
    assert sorted(row[0] for row in rows[1:]) == sorted(tagged)  # each exactly once
    first = rows[1]
    data = tagged[first[0]]
    assert first[1:] == [
        data["email"],
        data["first_name"],
        "export;eu",
        str(data["score"]),
        "true" if data["unsubscribed"] else "false",
    ]

    # The file imports as it is (its id column is ignored) and changes no value: every row
    # is SKIPPED/UNCHANGED.
    upload = await gql.http.post("/uploads", content=response.content)
    assert upload.status_code == 201, upload.text
    imported = await gql.run(
        entityType="CONTACT", actionType="UPSERT", uploadId=upload.json()["uploadId"]
    )
    assert imported["stats"]["failed"] == 0
    assert (imported["stats"]["succeeded"], imported["stats"]["skipped"]) == (0, MATCHING)
    after = Contact.get_pymongo_collection().find({"account_id": account, "data.tags": "export"})
    assert {str(doc["_id"]): doc["data"] async for doc in after} == tagged
