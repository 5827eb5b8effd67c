"""Shared steps of the pacing and control tests: limits set by an admin, waiting on stats."""

import asyncio
import time
from typing import Any

from tests.integration.graphql_client import GraphQLClient

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
    await admin.data(SET_LIMIT, account=account, perMinute=per_minute)
    await asyncio.sleep(0.6)  # the workers' cached copy of the limit lasts 0.5 s in the tests


async def snapshot(gql: GraphQLClient, action_id: str) -> dict[str, Any]:
    return await gql.data(STATS, id=action_id)


async def wait_for(
    gql: GraphQLClient, action_id: str, done: Any, timeout: float = 300
) -> dict[str, Any]:
    """Polls the action's stats until `done(snapshot)` holds."""
    deadline = time.monotonic() + timeout
    while True:
        seen = await snapshot(gql, action_id)
        if done(seen):
            return seen
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting: {seen}")
        await asyncio.sleep(0.25)


def records(count: int, tag: str) -> list[dict[str, str]]:
    return [{"email": f"{tag}{n}@example.com"} for n in range(count)]
