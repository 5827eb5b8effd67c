"""Liveness and readiness of the API process."""

import httpx


async def test_health(api_url: str) -> None:
    async with httpx.AsyncClient(base_url=api_url) as client:
        live = await client.get("/health/live")
        ready = await client.get("/health/ready")
    assert live.json()["status"] == "ok"
    # The live hub's counts, for spotting leaked subscribers.
    assert set(live.json()["live"]) == {"watchers", "refreshing", "listening"}
    assert ready.status_code == 200
    assert ready.json() == {"status": "ok", "mongodb": "ok", "redis": "ok"}


async def test_graphiql_is_served(api_url: str) -> None:
    async with httpx.AsyncClient(base_url=api_url) as client:
        page = await client.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert "graphiql" in page.text.lower()
