"""The audit trail: one scenario touching every recorded kind makes exactly those events, in
order, each with who did it (a user, an admin, an API key) and from where; filters by action,
user and kind; another account sees none of them; `createdBy` on actions, filterable."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from app.infra.auth import issue_token
from tests.integration.conftest import new_account
from tests.integration.graphql_client import GraphQLClient, GraphQLError
from tests.integration.pacing_helpers import records

EVENTS = """
query($first: Int, $actionId: ID, $userId: String, $kind: AuditKind, $accountId: String) {
  auditEvents(first: $first, actionId: $actionId, userId: $userId, kind: $kind,
              accountId: $accountId) {
    totalCount
    edges { node { kind actor { userId apiKeyId } address actionId subject details } }
  }
}
"""
ACTION = "id status createdBy { userId apiKeyId }"
DRIP = """
mutation($id: ID!) {
  updateBulkActionDrip(id: $id, drip: {batchSize: 5, everySeconds: 3600}) { id }
}
"""
RESCHEDULE = """
mutation($id: ID!, $at: DateTime!) { rescheduleBulkAction(id: $id, scheduledAt: $at) { id } }
"""
SET_LIMIT = """
mutation($a: String!) { setAccountRateLimit(accountId: $a, perMinute: 99999) { perMinute } }
"""
BY_KEY = f"""
query($k: ID) {{
  bulkActions(first: 10, createdBy: {{apiKeyId: $k}}) {{ edges {{ node {{ {ACTION} }} }} }}
}}
"""


async def mutate(gql: GraphQLClient, name: str, query: str, **variables: Any) -> Any:
    return (await gql.data(query, **variables))[name]


async def test_every_recorded_kind_in_order_with_its_actor(
    gql: GraphQLClient, admin_gql: GraphQLClient, api_url: str, account: str
) -> None:
    expected: list[tuple[str, str | None]] = []  # (kind, actor: user id or "key")

    def did(kind: str, by: str | None = account) -> None:
        expected.append((kind, by))

    await gql.data(
        'mutation { defineCustomField(input: {entityType: CONTACT, name: "tier", kind: TEXT})'
        " { name } }"
    )
    did("CUSTOM_FIELD_DEFINED")
    hook = await mutate(
        gql,
        "createWebhook",
        "mutation($url: String!) { createWebhook(url: $url, events: [ACTION_COMPLETED]) "
        "{ webhook { id } } }",
        url="http://127.0.0.1:9/audit",
    )
    did("WEBHOOK_CREATED")
    key = await mutate(
        gql,
        "createApiKey",
        'mutation { createApiKey(name: "ci", scopes: [BULK_READ, BULK_WRITE]) '
        "{ secret key { id } } }",
    )
    did("API_KEY_CREATED")

    dry = await gql.create(
        entityType="CONTACT",
        actionType="INSERT",
        records=records(20, "audit"),
        dryRun=True,
        drip={"batchSize": 10, "everySeconds": 3600},
    )
    did("ACTION_CREATED")
    await gql.wait(dry["id"])
    # The real run, made with the API key.
    async with GraphQLClient(api_url, key["secret"]) as keyed:
        run = await mutate(
            keyed,
            "runBulkAction",
            f"mutation($id: ID!) {{ runBulkAction(id: $id) {{ {ACTION} }} }}",
            id=dry["id"],
        )
    did("ACTION_RUN", "key")
    assert run["createdBy"] == {"userId": None, "apiKeyId": key["key"]["id"]}
    await gql.data(DRIP, id=run["id"])
    did("DRIP_CHANGED")
    for verb, kind in (
        ("pause", "ACTION_PAUSED"),
        ("resume", "ACTION_RESUMED"),
        ("cancel", "ACTION_CANCELLED"),
    ):
        await gql.data(f"mutation($id: ID!) {{ {verb}BulkAction(id: $id) {{ id }} }}", id=run["id"])
        did(kind)
    await gql.wait(run["id"])

    later = datetime.now(UTC) + timedelta(hours=1)
    scheduled = await gql.create(
        entityType="CONTACT",
        actionType="INSERT",
        records=records(1, "sched"),
        scheduledAt=later.isoformat(),
    )
    did("ACTION_CREATED")
    await gql.data(
        RESCHEDULE,
        id=scheduled["id"],
        at=(later + timedelta(hours=1)).isoformat(),
    )
    did("ACTION_RESCHEDULED")
    await gql.data("mutation($id: ID!) { cancelBulkAction(id: $id) { id } }", id=scheduled["id"])
    did("ACTION_CANCELLED")

    imported = await gql.run(
        entityType="CONTACT",
        actionType="INSERT",
        records=[{"email": "a@example.com"}, {"email": "a@example.com"}],
    )
    did("ACTION_CREATED")
    await gql.data(  # the repeated row, skipped: run again
        "mutation($id: ID!) { retryBulkAction(id: $id, status: SKIPPED) { id } }",
        id=imported["id"],
    )
    did("ACTION_RETRIED")
    await gql.data("mutation($id: ID!) { restoreBulkAction(id: $id) { id } }", id=imported["id"])
    did("ACTION_RESTORED")

    await admin_gql.data(
        SET_LIMIT,
        a=account,
    )
    did("LIMIT_CHANGED", "admin")
    await gql.data("mutation($id: ID!) { revokeApiKey(id: $id) }", id=key["key"]["id"])
    did("API_KEY_REVOKED")
    await gql.data("mutation($id: ID!) { deleteWebhook(id: $id) }", id=hook["webhook"]["id"])
    did("WEBHOOK_DELETED")
    await gql.data('mutation { deleteCustomField(entityType: CONTACT, name: "tier") }')
    did("CUSTOM_FIELD_DELETED")

    trail = (await gql.data(EVENTS, first=100))["auditEvents"]
    events = [edge["node"] for edge in reversed(trail["edges"])]  # newest first: reversed
    seen = [(event["kind"], who(event, account)) for event in events]
    assert seen == expected
    assert trail["totalCount"] == len(expected)
    assert all(event["address"] == "127.0.0.1" for event in events)
    drip_event = next(event for event in events if event["kind"] == "DRIP_CHANGED")
    assert drip_event["actionId"] == run["id"]
    assert drip_event["details"] == {"drip": {"batchSize": 5, "everySeconds": 3600}}

    # Filters: by action, by kind, by user.
    about_run = (await gql.data(EVENTS, first=100, actionId=run["id"]))["auditEvents"]
    assert [edge["node"]["kind"] for edge in reversed(about_run["edges"])] == [
        "ACTION_RUN",
        "DRIP_CHANGED",
        "ACTION_PAUSED",
        "ACTION_RESUMED",
        "ACTION_CANCELLED",
    ]
    created = (await gql.data(EVENTS, first=100, kind="ACTION_CREATED"))["auditEvents"]
    assert created["totalCount"] == 3
    by_key = await gql.data(
        BY_KEY,
        k=key["key"]["id"],
    )
    assert [edge["node"]["id"] for edge in by_key["bulkActions"]["edges"]] == [run["id"]]

    # Another account sees none of it, and may not ask for this one's; an admin may.
    async with GraphQLClient(api_url, issue_token(new_account())) as other:
        assert (await other.data(EVENTS, first=100))["auditEvents"]["totalCount"] == 0
        with pytest.raises(GraphQLError) as refused:
            await other.data(EVENTS, first=5, accountId=account)
        assert refused.value.codes == ["FORBIDDEN"]
    admin_view = (await admin_gql.data(EVENTS, first=100, accountId=account))["auditEvents"]
    assert admin_view["totalCount"] == len(expected)


def who(event: dict[str, Any], account: str) -> str | None:
    actor = event["actor"]
    if actor["apiKeyId"] is not None:
        return "key"
    return actor["userId"] if actor["userId"] == account else "admin"
