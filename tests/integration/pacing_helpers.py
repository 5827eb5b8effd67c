"""Shared steps of the pacing and control tests: limits set by an admin, waiting on stats."""

from typing import Any

from tests.integration.graphql_client import GraphQLClient
from tests.support.polling import until

SET_LIMIT = """
mutation($account: String!, $perMinute: Int!) {
  setAccountRateLimit(accountId: $account, perMinute: $perMinute) { accountId perMinute }
}
"""
STATS = """
query($id: ID!) {
  bulkAction(id: $id) {
    status
    stats {
      total processed succeeded skipped waitingChunks waitingRows nextStartAt etaSeconds
      finishingRows
    }
  }
  accountRateLimit { perMinute used available bookedAhead }
}
"""


async def set_limit(admin: GraphQLClient, account: str, per_minute: int) -> None:
    """Sets it; the suite's workers read it afresh for each chunk (tests/integration/conftest)."""
    await admin.data(SET_LIMIT, account=account, perMinute=per_minute)


async def snapshot(gql: GraphQLClient, action_id: str, query: str = STATS) -> dict[str, Any]:
    return await gql.data(query, id=action_id)


async def wait_for(
    gql: GraphQLClient,
    action_id: str,
    done: Any,
    timeout: float = 300,
    query: str = STATS,
    every: float = 0.25,
) -> dict[str, Any]:
    """Polls the action (its stats, or what `query` asks of it) until `done(snapshot)`
    holds."""

    async def seen_done() -> dict[str, Any] | None:
        seen = await snapshot(gql, action_id, query)
        return seen if done(seen) else None

    return await until(seen_done, f"the stats of {action_id} to hold", timeout, every)


def records(count: int, tag: str) -> list[dict[str, str]]:
    return [{"email": f"{tag}{n}@example.com"} for n in range(count)]
