"""API keys through the API: made with scopes the creator holds (the secret answered once,
stored only hashed), used as a bearer token with exactly those scopes, listed without their
secret, revoked and then refused by another API process at once; a key of one account never
reaches another's data."""

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from app.domain.access import ApiKey, hash_of
from app.infra.auth import issue_token
from tests.integration.conftest import new_account, start_api
from tests.integration.graphql_client import GraphQLClient, GraphQLError
from tests.support.processes import stop

CREATE = """
mutation($name: String!, $scopes: [Scope!]!, $expiresAt: DateTime) {
  createApiKey(name: $name, scopes: $scopes, expiresAt: $expiresAt) {
    secret key { id name scopes prefix createdBy { userId apiKeyId } revokedAt }
  }
}
"""
LIST = "{ apiKeys { id name scopes prefix lastUsedAt revokedAt } }"
REVOKE = "mutation($id: ID!) { revokeApiKey(id: $id) }"
ACTIONS = "{ bulkActions(first: 5) { edges { node { id } } } }"
INSERT = (
    "mutation { createBulkAction(input: {entityType: CONTACT, actionType: INSERT, "
    'records: [{email: "key@example.com"}]}) { id } }'
)


@pytest.fixture(scope="module")
def second_api(database: None) -> Iterator[str]:
    url, process = start_api("api-second")
    yield url
    stop(process)


def ask(api: str, token: str, query: str, **variables: Any) -> dict[str, Any]:
    answer = httpx.post(
        f"{api}/graphql",
        json={"query": query, "variables": variables},
        headers={"Authorization": f"Bearer {token}"},
    )
    body: dict[str, Any] = answer.json()
    return body


def code_of(body: dict[str, Any]) -> str | None:
    return body["errors"][0]["extensions"]["code"] if body.get("errors") else None


async def test_a_key_does_what_its_scopes_allow_until_it_is_revoked(
    gql: GraphQLClient, api_url: str, second_api: str, account: str
) -> None:
    made = (await gql.data(CREATE, name="crm sync", scopes=["BULK_READ"]))["createApiKey"]
    secret, key = made["secret"], made["key"]
    assert secret.startswith("bak_") and key["prefix"] == secret[:12]
    assert key["scopes"] == ["BULK_READ"] and key["createdBy"]["userId"] == account
    stored = await ApiKey.get(key["id"])
    assert stored is not None and stored.key_hash == hash_of(secret)
    assert secret not in str(stored.model_dump())  # only its hash is kept

    assert code_of(ask(api_url, secret, ACTIONS)) is None  # read: allowed
    refused = ask(api_url, secret, INSERT)
    assert code_of(refused) == "FORBIDDEN" and "bulk:write" in refused["errors"][0]["message"]
    listed = (await gql.data(LIST))["apiKeys"]
    assert [entry["name"] for entry in listed] == ["crm sync"]
    assert "secret" not in listed[0] and listed[0]["lastUsedAt"] is not None

    assert (await gql.data(REVOKE, id=key["id"]))["revokeApiKey"] is True
    # Refused at once, on every API process (nothing cached).
    for api in (api_url, second_api):
        answer = ask(api, secret, ACTIONS)
        assert code_of(answer) == "UNAUTHENTICATED"
        assert "revoked" in answer["errors"][0]["message"]
    upload = httpx.post(
        f"{second_api}/uploads", content=b"email\n", headers={"Authorization": f"Bearer {secret}"}
    )
    assert upload.status_code == 401


async def test_a_key_never_holds_more_than_its_creator_nor_reaches_another_account(
    api_url: str, database: None
) -> None:
    alice, bob = new_account(), new_account()
    writer = issue_token(alice, scopes=["bulk:read", "bulk:write"])
    async with GraphQLClient(api_url, writer) as gql:
        with pytest.raises(GraphQLError) as beyond:
            await gql.data(CREATE, name="too much", scopes=["BULK_ADMIN"])
        assert beyond.value.codes == ["FORBIDDEN"] and "bulk:admin" in str(beyond.value)
        for bad in ({"name": "", "scopes": ["BULK_READ"]}, {"name": "none", "scopes": []}):
            with pytest.raises(GraphQLError) as invalid:
                await gql.data(CREATE, **bad)
            assert invalid.value.codes == ["BAD_USER_INPUT"]
        with pytest.raises(GraphQLError) as past:
            await gql.data(
                CREATE, name="old", scopes=["BULK_READ"], expiresAt="2020-01-01T00:00:00Z"
            )
        assert past.value.codes == ["BAD_USER_INPUT"]
        made = await gql.data(CREATE, name="alice", scopes=["BULK_READ", "BULK_WRITE"])
        secret, key_id = made["createApiKey"]["secret"], made["createApiKey"]["key"]["id"]

    created = ask(api_url, secret, INSERT)["data"]["createBulkAction"]["id"]
    # Bob sees neither Alice's key nor her action, and cannot revoke her key.
    async with GraphQLClient(api_url, issue_token(bob)) as other:
        assert (await other.data(LIST))["apiKeys"] == []
        with pytest.raises(GraphQLError) as missing:
            await other.data(REVOKE, id=key_id)
        assert missing.value.codes == ["NOT_FOUND"]
        with pytest.raises(GraphQLError) as hidden:
            await other.action(created)
        assert hidden.value.codes == ["NOT_FOUND"]
    # A key made by a key names it as its maker, and a forged key is refused.
    child = ask(api_url, secret, CREATE, name="child", scopes=["BULK_READ"])
    assert child["data"]["createApiKey"]["key"]["createdBy"] == {"userId": None, "apiKeyId": key_id}
    forged = secret[:-4] + ("AAAA" if not secret.endswith("AAAA") else "BBBB")
    for wrong in (forged, "bak_notakey", "bak_" + "0" * 24 + "_x"):
        assert code_of(ask(api_url, wrong, ACTIONS)) == "UNAUTHENTICATED"
