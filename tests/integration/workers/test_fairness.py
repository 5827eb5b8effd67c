"""One account's big action does not starve another account's small one."""

import time

import httpx

from bench.generate import lines
from tests.integration.graphql_client import GraphQLClient
from tests.integration.pacing_helpers import records, wait_for

BIG = 30_000


async def test_small_action_finishes_within_seconds_beside_a_big_one(
    api_url: str, gql: GraphQLClient, other_gql: GraphQLClient
) -> None:
    body = "".join(lines(BIG, 0.0, 0.0)).encode()
    async with httpx.AsyncClient(base_url=api_url, headers=gql.http.headers) as http:
        response = await http.post("/uploads", content=body)
    assert response.status_code == 201, response.text
    big = await gql.create(
        entityType="CONTACT", actionType="INSERT", uploadId=response.json()["uploadId"]
    )
    await wait_for(gql, big["id"], lambda seen: seen["bulkAction"]["stats"]["processed"] >= 2000)

    started = time.monotonic()
    small = await other_gql.run(
        entityType="CONTACT", actionType="INSERT", records=records(100, "b")
    )
    waited = time.monotonic() - started
    still = await gql.action(big["id"])
    print(
        f"fairness: 100 rows beside a {BIG:,}-row action done in {waited:.1f} s "
        f"(big one at {still['stats']['processed']:,} rows)"
    )
    assert small["status"] == "COMPLETED"
    assert still["status"] == "PROCESSING", "the big action ended first: the test shows nothing"
    assert waited < 5

    done = await gql.wait(big["id"], timeout=300)
    assert done["stats"]["succeeded"] == BIG
