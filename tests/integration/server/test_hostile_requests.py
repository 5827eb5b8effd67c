"""Hostile or broken requests get a JSON answer with `extensions.code`, never a 500, and
nothing is stored."""

import base64
import json
from typing import Any

import httpx
import pytest

from app.infra.auth import issue_token
from tests.integration.conftest import start_api
from tests.integration.graphql_client import CREATE, GraphQLClient

DEEP = 100_000


def code_of(response: httpx.Response) -> str:
    body = response.json()
    return str(body["errors"][0]["extensions"]["code"])


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"null", "application/json"),
        (b"42", "application/json"),
        (b'"query"', "application/json"),
        (b'{"query": "{ __typename }", "variables": "\xff\xfe"}', "application/json"),
        (b"\xff\xfe\xfd", "application/json"),
        (
            b'{"query": "{ __typename }", "variables": {"a": ' + b"[" * DEEP + b"]" * DEEP + b"}}",
            "application/json",
        ),
        (b"{not json", "application/json"),
        (b"query { __typename }", "text/plain"),
    ],
)
async def test_malformed_bodies_are_json_400s(
    gql: GraphQLClient, body: bytes, content_type: str
) -> None:
    response = await gql.http.post("/graphql", content=body, headers={"content-type": content_type})
    assert response.status_code == 400, response.text
    assert code_of(response) == "BAD_REQUEST"


async def test_a_multipart_map_that_is_not_an_object(gql: GraphQLClient) -> None:
    operations = {"query": CREATE, "variables": {"input": {"file": None}}}
    response = await gql.http.post(
        "/graphql",
        data={"operations": json.dumps(operations), "map": json.dumps("not an object")},
        files={"0": ("a.csv", b"email\n", "text/csv")},
    )
    assert 400 <= response.status_code < 500, response.text
    assert code_of(response) == "BAD_REQUEST"


async def test_a_body_over_the_limit_is_refused_unread(gql: GraphQLClient) -> None:
    huge = b'{"query": "{ __typename }", "pad": "' + b"x" * (17 * 1024 * 1024) + b'"}'
    response = await gql.http.post(
        "/graphql", content=huge, headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert code_of(response) == "QUERY_TOO_COMPLEX"


async def test_unsupported_methods_are_json_405s(gql: GraphQLClient) -> None:
    response = await gql.http.request("PUT", "/graphql", content=b"{}")
    assert response.status_code == 405
    assert code_of(response) == "METHOD_NOT_ALLOWED"


@pytest.mark.parametrize(
    ("record", "field"),
    [
        ({"email": "nul@example.com", "first_name": "Ada\u0000"}, "first_name"),
        ({"email": "sur@example.com", "company": "\ud800"}, "company"),
        ({"email": "big@example.com", "score": 2**63}, "score"),
        ({"email": "tag@example.com", "tags": ["ok", "bad\u0000"]}, "tags"),
    ],
)
async def test_unstorable_values_are_bad_input_with_row_and_field(
    gql: GraphQLClient, record: dict[str, Any], field: str
) -> None:
    records = [{"email": "fine@example.com"}, record]
    # Sent as JSON text with \u escapes, as a client would: no Python client encodes a lone
    # surrogate otherwise.
    payload = {
        "query": CREATE,
        "variables": {
            "input": {"entityType": "CONTACT", "actionType": "INSERT", "records": records}
        },
    }
    response = await gql.http.post(
        "/graphql", content=json.dumps(payload), headers={"content-type": "application/json"}
    )
    body = response.json()
    error = body["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT", body
    assert error["extensions"]["errors"][0]["row"] == 2
    assert error["extensions"]["errors"][0]["message"].startswith(field)
    listed = await gql.data("{ bulkActions { totalCount } }")
    assert listed["bulkActions"]["totalCount"] == 0


async def test_an_unstorable_idempotency_key_or_token_subject_is_refused(
    api_url: str, gql: GraphQLClient
) -> None:
    body = await gql.execute(
        CREATE,
        input={
            "entityType": "CONTACT",
            "actionType": "INSERT",
            "records": [{"email": "k@example.com"}],
            "idempotencyKey": "key\u0000",
        },
    )
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    async with GraphQLClient(api_url, issue_token("acct\u0000x")) as nul:
        answer = await nul.execute("{ bulkActions { totalCount } }")
    assert answer["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    garbled = await gql.http.post(
        "/graphql",
        json={"query": "{ bulkActions { totalCount } }"},
        headers={b"authorization": b"Bearer not.a.jwt\xb7"},
    )
    answer = garbled.json()
    message = answer["errors"][0]["message"]
    assert answer["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert "codec" not in message and "utf-8" not in message.lower()


@pytest.mark.parametrize("value", ["\u00b2", "9" * 40, "-1", "1e3"])
async def test_forged_log_cursors_are_bad_input(gql: GraphQLClient, value: str) -> None:
    created = await gql.create(
        entityType="CONTACT", actionType="INSERT", records=[{"email": "c@example.com"}]
    )
    cursor = base64.urlsafe_b64encode(f"log:{value}".encode()).decode()
    body = await gql.execute(
        "query($id: ID!, $after: String) { bulkActionLogs(id: $id, after: $after) { totalCount } }",
        id=created["id"],
        after=cursor,
    )
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_costly_queries_are_400s_before_any_work(gql: GraphQLClient) -> None:
    aliases = " ".join(f"a{n}: bulkActions(first: 1) {{ totalCount }}" for n in range(30))
    tokens = "{ " + "__typename " * 60_000 + "}"
    nodes = " ".join(f"n{n}: bulkActions(first: 1000) {{ totalCount }}" for n in range(6))
    deep = "{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }"
    # Twice each: a repeat is validated from the operation cache, and refused the same.
    for query in (aliases, tokens, nodes, deep) * 2:
        response = await gql.http.post(
            "/graphql", json={"query": "{" + query + "}" if not query.startswith("{") else query}
        )
        assert response.status_code == 400, (query[:80], response.text[:300])
        assert code_of(response) == "QUERY_TOO_COMPLEX", response.text[:300]


async def test_introspection_can_be_switched_off(database: None, account: str) -> None:
    url, process = start_api("api-no-introspection", GRAPHQL_INTROSPECTION="false")
    try:
        async with GraphQLClient(url, issue_token(account)) as client:
            response = await client.http.post(
                "/graphql", json={"query": "{ __schema { types { name } } }"}
            )
            assert response.status_code == 400
            assert code_of(response) == "GRAPHQL_VALIDATION_FAILED"
            assert (await client.data("{ bulkActions { totalCount } }"))["bulkActions"]
    finally:
        process.terminate()
        process.wait(30)
