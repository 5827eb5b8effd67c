"""Bad input answers BAD_USER_INPUT (or UNAUTHENTICATED) and stores nothing."""

from typing import Any

import pytest
from bson import ObjectId

from tests.integration.graphql_client import CREATE, GraphQLClient

COUNT = "{ bulkActions { totalCount } }"


async def error_of(gql: GraphQLClient, **input: Any) -> dict[str, Any]:
    body = await gql.execute(CREATE, input=input)
    assert body.get("data") is None or body["data"].get("createBulkAction") is None
    assert len(body["errors"]) == 1, body
    error: dict[str, Any] = body["errors"][0]
    return error


@pytest.mark.parametrize(
    ("records", "expected"),
    [
        (
            [{"email": "a@example.com", "favourite_colour": "red"}],
            "Unknown field 'favourite_colour'",
        ),
        ([{"email": "a@example.com", "address.city": "Paris"}], "may not contain '.'"),
        ([{"email": "a@example.com", "$where": "1"}], "start with '$'"),
        ([{"email": "a@example.com", "score": "lots"}], "score"),
        ([{"email": "a@example.com", "tags": "not-a-list"}], "tags"),
        ([{"email": "a@example.com", "lifecycle_stage": "alien"}], "lifecycle_stage"),
        ([{"first_name": "No key"}], "email: required"),
        ([{"email": "not-an-email"}], "not a valid email"),
        (["just a string"], "must be a JSON object"),
        ([], "names no entities"),
    ],
)
async def test_invalid_insert_records(
    gql: GraphQLClient, records: list[Any], expected: str
) -> None:
    good = [{"email": f"ok{i}@example.com"} for i in range(3)]
    error = await error_of(
        gql, entityType="CONTACT", actionType="INSERT", records=good + records if records else []
    )
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert expected in error["message"]
    if records:
        assert error["extensions"]["errors"][0]["row"] == 4
    assert (await gql.data(COUNT))["bulkActions"]["totalCount"] == 0


@pytest.mark.parametrize(
    ("input", "expected"),
    [
        ({"actionType": "UPDATE", "entityIds": [str(ObjectId())]}, "needs `fields`"),
        (
            {"actionType": "UPDATE", "entityIds": [str(ObjectId())], "fields": {"nope": 1}},
            "Unknown field",
        ),
        (
            {"actionType": "UPDATE", "entityIds": ["not-an-id"], "fields": {"score": 1}},
            "not a valid entity id",
        ),
        ({"actionType": "UPDATE", "records": [{"score": 1}]}, "not a valid entity id"),
        ({"actionType": "UPDATE", "records": [{"id": str(ObjectId())}]}, "at least one field"),
        ({"actionType": "UPDATE"}, "needs its targets: `entityIds`"),
        (
            {"actionType": "DELETE", "entityIds": [str(ObjectId())], "fields": {"score": 1}},
            "does not take `fields`",
        ),
        ({"actionType": "INSERT", "entityIds": [str(ObjectId())]}, "does not take `entityIds`"),
        ({"actionType": "UPSERT"}, "needs its rows: `records`, a CSV `file` or an `uploadId`"),
        (
            {
                "actionType": "INSERT",
                "records": [{"email": "a@b.co"}],
                "scheduledAt": "2001-01-01T00:00:00Z",
            },
            "in the past",
        ),
        (
            {"actionType": "INSERT", "records": [{"email": "a@b.co"}], "idempotencyKey": ""},
            "idempotencyKey",
        ),
        (
            # Read as UTC it would start hours off for anyone elsewhere.
            {
                "actionType": "INSERT",
                "records": [{"email": "a@b.co"}],
                "scheduledAt": "2099-01-01T10:00:00",
            },
            "needs a time zone",
        ),
        ({"actionType": "INSERT", "uploadId": "not-an-id"}, "is not an upload id"),
    ],
)
async def test_invalid_action_input(
    gql: GraphQLClient, input: dict[str, Any], expected: str
) -> None:
    error = await error_of(gql, entityType="CONTACT", **input)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert expected in error["message"]
    assert (await gql.data(COUNT))["bulkActions"]["totalCount"] == 0


@pytest.mark.parametrize(
    "query",
    [
        '{ bulkAction(id: "nope") { id } }',
        'mutation { cancelBulkAction(id: "nope") { id } }',
        'mutation { testWebhook(id: "nope") { id } }',
    ],
)
async def test_a_malformed_id_is_bad_user_input_not_not_found(
    gql: GraphQLClient, query: str
) -> None:
    """A well-formed id of nothing is NOT_FOUND; one that cannot be an id is the caller's
    mistake, and says what an id looks like."""
    error = (await gql.execute(query))["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "24 hexadecimal characters" in error["message"]


async def test_unknown_enum_value_is_bad_user_input(gql: GraphQLClient) -> None:
    error = await error_of(gql, entityType="PLANET", actionType="INSERT", records=[{}])
    assert error["extensions"]["code"] == "BAD_USER_INPUT"


async def test_too_many_records(gql: GraphQLClient) -> None:
    records = [{"email": f"r{i}@example.com"} for i in range(10_001)]
    error = await error_of(gql, entityType="CONTACT", actionType="INSERT", records=records)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "At most 10000" in error["message"]


async def test_bad_paging_arguments(gql: GraphQLClient) -> None:
    for query in (
        "{ bulkActions(first: 0) { totalCount } }",
        "{ bulkActions(first: 100000) { totalCount } }",
        '{ bulkActions(after: "garbage") { totalCount } }',
    ):
        body = await gql.execute(query)
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", query


async def test_syntax_error_has_a_code(gql: GraphQLClient) -> None:
    body = await gql.execute("{ bulkActions { ")
    assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"


@pytest.mark.parametrize(
    "header", [None, "Bearer", "Bearer not-a-jwt", "Basic abc", "Bearer eyJhbGciOiJIUzI1NiJ9.e30.x"]
)
async def test_unauthenticated(api_url: str, header: str | None) -> None:
    async with GraphQLClient(api_url, None) as client:
        if header:
            client.http.headers["Authorization"] = header
        body = await client.execute(COUNT)
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert body["data"] is None


async def test_token_signed_with_another_secret(api_url: str) -> None:
    import jwt

    token = jwt.encode({"sub": "intruder"}, "some-other-secret-0123456789abcdef", algorithm="HS256")
    async with GraphQLClient(api_url, token) as client:
        body = await client.execute(COUNT)
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
