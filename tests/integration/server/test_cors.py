"""CORS: browser tools on another origin may call the API only when CORS_ORIGINS lists it."""

import httpx

from tests.integration.conftest import start_api
from tests.support.processes import stop

ALLOWED = "https://studio.apollographql.com"
PREFLIGHT = {
    "Access-Control-Request-Method": "POST",
    "Access-Control-Request-Headers": "authorization,content-type",
}


async def test_listed_origins_may_call_the_api_and_others_not(api_url: str) -> None:
    url, process = start_api("api-cors", CORS_ORIGINS=f"{ALLOWED},https://altairgraphql.dev")
    try:
        async with httpx.AsyncClient(base_url=url) as client:
            allowed = await client.options("/graphql", headers={"Origin": ALLOWED, **PREFLIGHT})
            assert allowed.status_code == 200
            assert allowed.headers["access-control-allow-origin"] == ALLOWED
            assert "authorization" in allowed.headers["access-control-allow-headers"].lower()
            other = await client.options(
                "/graphql", headers={"Origin": "https://evil.example", **PREFLIGHT}
            )
            assert "access-control-allow-origin" not in other.headers
            answered = await client.post(
                "/graphql", json={"query": "{ __typename }"}, headers={"Origin": ALLOWED}
            )
            assert answered.headers["access-control-allow-origin"] == ALLOWED
    finally:
        stop(process)
    # By default, none: the suite's own API.
    async with httpx.AsyncClient(base_url=api_url) as client:
        answered = await client.post(
            "/graphql", json={"query": "{ __typename }"}, headers={"Origin": ALLOWED}
        )
    assert "access-control-allow-origin" not in answered.headers
