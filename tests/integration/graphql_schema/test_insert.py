"""INSERT through GraphQL with real workers: duplicates in the input and existing keys."""

from collections import Counter

import pytest

from tests.integration.graphql_client import GraphQLClient


def contact(i: int) -> dict[str, object]:
    return {"email": f"person{i}@example.com", "first_name": f"P{i}", "score": i % 100}


@pytest.mark.slow(1)
async def test_insert_5000_with_duplicates_and_existing(gql: GraphQLClient) -> None:
    existing = [contact(i) for i in range(100_000, 100_050)]
    seeded = await gql.run(entityType="CONTACT", actionType="INSERT", records=existing)
    assert seeded["status"] == "COMPLETED"

    records = [contact(i) for i in range(4850)]
    # The 50 existing emails, spread through the input.
    for n, record in enumerate(existing):
        records.insert(n * 97 + 3, record)
    # 100 repeats of earlier rows, differently cased and spaced, many across chunk boundaries.
    duplicates: list[dict[str, object]] = [
        {"email": f"  PERSON{i * 48}@Example.com ", "first_name": "dup"} for i in range(100)
    ]
    records += duplicates
    assert len(records) == 5000

    action = await gql.run(entityType="CONTACT", actionType="INSERT", records=records)

    stats = action["stats"]
    assert (stats["succeeded"], stats["failed"], stats["skipped"]) == (4850, 0, 150)
    assert stats["total"] == stats["processed"] == 5000
    assert stats["progress"] == 1.0
    assert action["status"] == "COMPLETED"

    logs = await gql.all_logs(action["id"])
    assert [log["row"] for log in logs] == list(range(1, 5001))
    reasons = Counter((log["status"], log["reason"]) for log in logs)
    assert reasons == {
        ("SUCCESS", "INSERTED"): 4850,
        ("SKIPPED", "ALREADY_EXISTS"): 50,
        ("SKIPPED", "DUPLICATE_IN_INPUT"): 100,
    }
    by_row = {log["row"]: log for log in logs}
    for row in range(4901, 5001):
        assert by_row[row]["reason"] == "DUPLICATE_IN_INPUT"
    emails_of_existing = {r["email"] for r in existing}
    for row, record in enumerate(records, start=1):
        if record["email"] in emails_of_existing:
            assert by_row[row]["reason"] == "ALREADY_EXISTS"
            assert by_row[row]["entityId"]

    page = await gql.data("{ entities(entityType: CONTACT, first: 1) { totalCount } }")
    assert page["entities"]["totalCount"] == 4900
    # The first occurrence won: the duplicate's first_name was not written.
    first = await gql.entities("CONTACT", [by_row[1]["entityId"]])
    assert first[by_row[1]["entityId"]] == {
        "email": "person0@example.com",
        "first_name": "P0",
        "score": 0,
    }
