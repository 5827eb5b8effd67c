"""Retrying only the failed rows: a 10,000-row import with 40 invalid rows retried as they
were (40 rows, each naming its source row), then with the failed rows' logs.csv corrected
and uploaded back as it is; corrections as records; and the refusals."""

import csv
import io
from collections import Counter
from typing import Any

import pytest

from tests.integration.graphql_client import GraphQLClient, GraphQLError

RETRY = """
mutation($id: ID!, $status: LogStatus, $records: [JSON!], $uploadId: ID) {
  retryBulkAction(id: $id, status: $status, records: $records, uploadId: $uploadId) {
    id actionType retryOf
  }
}
"""
ROWS = 10_000
BAD_EVERY = 250  # 40 invalid rows


def import_file() -> bytes:
    lines = ["email,first_name,score"]
    for n in range(1, ROWS + 1):
        if n % BAD_EVERY == 0:
            lines.append(f"retry{n}@example.com,Bad{n},not-a-number")
        else:
            lines.append(f"retry{n}@example.com,Good{n},{n % 100}")
    return ("\n".join(lines) + "\n").encode()


async def upload(gql: GraphQLClient, content: bytes) -> str:
    response = await gql.http.post(
        "/uploads", content=content, headers={"content-type": "text/csv"}
    )
    assert response.status_code == 201, response.text
    return str(response.json()["uploadId"])


async def retry(gql: GraphQLClient, action_id: str, **given: Any) -> dict[str, Any]:
    made = (await gql.data(RETRY, id=action_id, **given))["retryBulkAction"]
    assert made["retryOf"] == action_id
    return await gql.wait(made["id"])


@pytest.mark.timeout(600)
async def test_only_the_failed_rows_are_retried_and_a_corrected_file_completes(
    gql: GraphQLClient,
) -> None:
    created = await gql.create(
        entityType="CONTACT", actionType="INSERT", uploadId=await upload(gql, import_file())
    )
    original = await gql.wait(created["id"])
    assert original["status"] == "COMPLETED_WITH_ERRORS"
    assert (original["stats"]["succeeded"], original["stats"]["failed"]) == (9960, 40)
    bad_rows = [n for n in range(1, ROWS + 1) if n % BAD_EVERY == 0]

    again = await retry(gql, original["id"])
    assert again["stats"]["total"] == 40
    logs = await gql.all_logs(again["id"])
    assert [(log["row"], log["sourceRow"]) for log in logs] == list(
        zip(range(1, 41), bad_rows, strict=True)
    )
    assert Counter(log["reason"] for log in logs) == {"INVALID": 40}

    # The failed rows' logs.csv carries their input: fix it and give it back as it is.
    export = await gql.http.get(f"/bulk-actions/{original['id']}/logs.csv?status=FAILED")
    assert export.status_code == 200
    table = list(csv.reader(io.StringIO(export.text)))
    header, body = table[0], table[1:]
    assert header[-3:] == ["email", "first_name", "score"]
    assert [int(line[0]) for line in body] == bad_rows
    assert body[0][-3:] == ["retry250@example.com", "Bad250", "not-a-number"]
    for line in body:
        line[-1] = "7"
    fixed = io.StringIO()
    csv.writer(fixed).writerows([header, *body])
    corrected = await retry(
        gql, original["id"], uploadId=await upload(gql, fixed.getvalue().encode())
    )
    assert corrected["status"] == "COMPLETED"
    assert corrected["stats"]["succeeded"] == 40
    fixed_logs = await gql.all_logs(corrected["id"])
    assert [log["sourceRow"] for log in fixed_logs] == bad_rows
    stored = await gql.entities("CONTACT", [fixed_logs[0]["entityId"]])
    assert stored[fixed_logs[0]["entityId"]]["score"] == 7


async def test_corrections_as_records_and_refusals(gql: GraphQLClient) -> None:
    action = await gql.run(
        entityType="CONTACT",
        actionType="UPDATE",
        records=[
            {"id": "6b0000000000000000000001", "city": "Lost"},
            {"id": "6b0000000000000000000002", "city": "Lost too"},
        ],
    )
    assert action["stats"]["failed"] == 2  # NOT_FOUND
    seeded = await gql.run(
        entityType="CONTACT", actionType="INSERT", records=[{"email": "found@example.com"}]
    )
    found_id = (await gql.all_logs(seeded["id"]))[0]["entityId"]

    fixed = await retry(gql, action["id"], records=[{"row": 2, "id": found_id, "city": "Found"}])
    logs = await gql.all_logs(fixed["id"])
    assert [(log["sourceRow"], log["reason"]) for log in logs] == [(1, "NOT_FOUND"), (2, "UPDATED")]
    assert (await gql.entities("CONTACT", [found_id]))[found_id]["city"] == "Found"

    async def refused(says: str, action_id: str, **given: Any) -> None:
        with pytest.raises(GraphQLError) as error:
            await gql.data(RETRY, id=action_id, **given)
        assert error.value.codes == ["BAD_USER_INPUT"]
        assert says in str(error.value)

    await refused("no FAILED rows", seeded["id"])
    await refused(
        "not FAILED rows", action["id"], records=[{"row": 9, "id": found_id, "city": "X"}]
    )
    await refused("needs `row`", action["id"], records=[{"id": found_id, "city": "X"}])
    await refused("is not a valid entity id", action["id"], records=[{"row": 1, "id": "nope"}])
    await refused("not both", action["id"], records=[{"row": 1}], uploadId="x")
