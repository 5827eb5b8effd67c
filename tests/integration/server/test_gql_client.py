"""A session of Python's `gql` client (a client nobody here wrote) against the API: over
HTTP with the schema fetched by introspection and every request validated against it, a CSV
sent as a GraphQL multipart request, live progress over graphql-transport-ws with the token
in the upgrade request's header or in connection_init, and a refusal carrying its code."""

import io
from typing import Any

import pytest
from gql import Client, FileVar, GraphQLRequest
from gql.transport.exceptions import TransportConnectionFailed, TransportQueryError
from gql.transport.httpx import HTTPXAsyncTransport
from gql.transport.websockets import WebsocketsTransport
from websockets.exceptions import ConnectionClosed

from app.infra.auth import issue_token

pytestmark = pytest.mark.conformance

CREATE = """
mutation($input: CreateBulkActionInput!) {
  createBulkAction(input: $input) { id status }
}
"""
UPLOAD = """
mutation($file: Upload!) {
  createBulkAction(input: {entityType: CONTACT, actionType: INSERT, file: $file}) { id }
}
"""
ACTION = "query($id: ID!) { bulkAction(id: $id) { status stats { total succeeded } } }"
PROGRESS = """
subscription($id: ID!) {
  bulkActionProgress(id: $id) { status stats { processed total } }
}
"""


def request(document: str, **variables: Any) -> GraphQLRequest:
    return GraphQLRequest(document, variable_values=variables)


async def progress_until_done(transport: WebsocketsTransport, action_id: str) -> list[str]:
    """The statuses the subscription sends until it completes."""
    statuses = []
    async with Client(transport=transport) as session:
        async for event in session.subscribe(request(PROGRESS, id=action_id)):
            statuses.append(event["bulkActionProgress"]["status"])
    return statuses


async def test_a_gql_session_over_http_multipart_and_websocket(api_url: str, account: str) -> None:
    header = {"Authorization": f"Bearer {issue_token(account)}"}
    http = HTTPXAsyncTransport(url=f"{api_url}/graphql", headers=header, timeout=60)
    async with Client(transport=http, fetch_schema_from_transport=True) as session:
        records = [{"email": f"gql{n}@example.com"} for n in range(3)]
        made = await session.execute(
            request(
                CREATE, input={"entityType": "CONTACT", "actionType": "INSERT", "records": records}
            )
        )
        inline_id = made["createBulkAction"]["id"]

        csv = b"email,first_name\ncsv1@example.com,Ann\ncsv2@example.com,Bo\n"
        upload = request(UPLOAD, file=FileVar(io.BytesIO(csv), filename="contacts.csv"))
        uploaded_id = (await session.execute(upload, upload_files=True))["createBulkAction"]["id"]

        with pytest.raises(TransportQueryError) as refused:
            await session.execute(request(ACTION, id="not-an-id"))
        assert refused.value.errors is not None
        assert refused.value.errors[0]["extensions"]["code"] == "BAD_USER_INPUT"

    ws_url = f"{api_url.replace('http', 'ws', 1)}/graphql"
    by_header = WebsocketsTransport(
        url=ws_url, headers=header, subprotocols=[WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL]
    )
    by_init = WebsocketsTransport(
        url=ws_url,
        init_payload=header,
        subprotocols=[WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL],
    )
    assert (await progress_until_done(by_header, inline_id))[-1] == "COMPLETED"
    assert (await progress_until_done(by_init, uploaded_id))[-1] == "COMPLETED"

    async with Client(transport=HTTPXAsyncTransport(url=f"{api_url}/graphql", headers=header)) as s:
        inline = (await s.execute(request(ACTION, id=inline_id)))["bulkAction"]
        uploaded = (await s.execute(request(ACTION, id=uploaded_id)))["bulkAction"]
    assert inline["stats"] == {"total": 3, "succeeded": 3}
    assert uploaded["stats"] == {"total": 2, "succeeded": 2}


async def test_a_websocket_without_a_token_is_refused_with_the_reason(api_url: str) -> None:
    ws_url = f"{api_url.replace('http', 'ws', 1)}/graphql"
    anonymous = WebsocketsTransport(
        url=ws_url, subprotocols=[WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL]
    )
    with pytest.raises(TransportConnectionFailed) as refused:
        await progress_until_done(anonymous, "0" * 24)
    closed = refused.value.__cause__
    assert isinstance(closed, ConnectionClosed) and closed.rcvd is not None
    assert closed.rcvd.code == 4403
    assert "token" in closed.rcvd.reason.lower()
