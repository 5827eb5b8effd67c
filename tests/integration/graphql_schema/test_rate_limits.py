"""Rate limits through the API: admin-only limit changes, the caller's view of its limit, and
the API's own request limit (RATE_LIMITED with retryAfter)."""

from collections.abc import Iterator

import httpx
import pytest

from app.infra.auth import issue_token
from tests.integration.conftest import new_account, start_api
from tests.integration.graphql_client import GraphQLClient, GraphQLError
from tests.integration.pacing_helpers import SET_LIMIT
from tests.support.processes import stop

MY_LIMIT = "{ accountRateLimit { accountId perMinute used available bookedAhead windowSeconds } }"
REQUESTS_PER_MINUTE = 5


async def test_only_an_admin_sets_an_accounts_limit(
    gql: GraphQLClient, admin_gql: GraphQLClient, account: str
) -> None:
    with pytest.raises(GraphQLError) as refused:
        await gql.data(SET_LIMIT, account=account, perMinute=1_000_000)
    assert refused.value.codes == ["FORBIDDEN"]

    for bad in (0, -5, 2_000_000_000):
        with pytest.raises(GraphQLError) as invalid:
            await admin_gql.data(SET_LIMIT, account=account, perMinute=bad)
        assert invalid.value.codes == ["BAD_USER_INPUT"]

    set_to = await admin_gql.data(SET_LIMIT, account=account, perMinute=1234)
    assert set_to["setAccountRateLimit"] == {"accountId": account, "perMinute": 1234}
    mine = (await gql.data(MY_LIMIT))["accountRateLimit"]
    assert mine["accountId"] == account
    assert (mine["perMinute"], mine["used"], mine["available"]) == (1234, 0, 1234)
    assert mine["windowSeconds"] >= 60


async def test_the_default_limit_applies_without_an_override(gql: GraphQLClient) -> None:
    mine = (await gql.data(MY_LIMIT))["accountRateLimit"]
    assert mine["perMinute"] == 100_000_000  # the suite's setting


@pytest.fixture(scope="module")
def strict_api(database: None) -> Iterator[str]:
    """An API process of its own whose request limit is tiny."""
    url, process = start_api("api-strict", API_RATE_LIMIT_PER_MINUTE=str(REQUESTS_PER_MINUTE))
    yield url
    stop(process)


async def test_requests_over_the_api_limit_are_refused_with_retry_after(strict_api: str) -> None:
    token = issue_token(new_account())
    async with GraphQLClient(strict_api, token) as client:
        for _ in range(REQUESTS_PER_MINUTE):
            await client.data(MY_LIMIT)
        body = await client.execute(MY_LIMIT)
        error = body["errors"][0]
        assert error["extensions"]["code"] == "RATE_LIMITED"
        assert 1 <= error["extensions"]["retryAfter"] <= 60
        async with httpx.AsyncClient(base_url=strict_api) as http:
            upload = await http.post(
                "/uploads", content=b"email\nx@example.com\n", headers=client.http.headers
            )
        assert upload.status_code == 429
        assert 1 <= int(upload.headers["Retry-After"]) <= 60
        assert upload.json()["error"]["code"] == "RATE_LIMITED"

    # Another account has its own allowance.
    async with GraphQLClient(strict_api, issue_token(new_account())) as other:
        await other.data(MY_LIMIT)
