"""GraphQL over HTTP, as a client nobody here wrote checks it: graphql-http's own audit
(npm `graphql-http`, its `serverAudits`, run with Node) passes with no warning; and our own
expectations of the two media types."""

import json
import subprocess

import httpx
import pytest

from app.infra.auth import issue_token
from tests.integration.conftest import ROOT

pytestmark = pytest.mark.conformance

AUDIT = ROOT / "tests" / "conformance" / "audit.mjs"


def test_the_graphql_http_audit_passes_without_warnings(api_url: str, account: str) -> None:
    ran = subprocess.run(
        ["node", str(AUDIT), f"{api_url}/graphql", issue_token(account)],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    results = [json.loads(line) for line in ran.stdout.splitlines()]
    assert len(results) > 50, ran.stdout
    assert [r for r in results if r["status"] != "ok"] == []


async def test_a_request_that_cannot_run_is_a_400_without_data_for_graphql_response_json(
    api_url: str, account: str
) -> None:
    headers = {"Authorization": f"Bearer {issue_token(account)}"}
    async with httpx.AsyncClient(base_url=api_url, headers=headers) as client:
        modern = await client.post(
            "/graphql",
            json={"query": "{ nope }"},
            headers={"Accept": "application/graphql-response+json"},
        )
        legacy = await client.post(
            "/graphql", json={"query": "{ nope }"}, headers={"Accept": "application/json"}
        )
    assert modern.status_code == 400
    assert modern.headers["content-type"].startswith("application/graphql-response+json")
    assert "data" not in modern.json()
    assert modern.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert legacy.status_code == 200
    assert legacy.headers["content-type"].startswith("application/json")
    assert legacy.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
