"""A small GraphQL-over-HTTP client for the tests, plus helpers to drive actions."""

import asyncio
import json
import time
from types import TracebackType
from typing import Any

import httpx

from client.api import ApiClient, ApiError

ACTION_FIELDS = """
  id entityType actionType status createdAt scheduledAt startedAt finishedAt idempotencyKey
  stats { total processed succeeded failed skipped progress chunksTotal chunksDone }
"""
CREATE = f"""
mutation Create($input: CreateBulkActionInput!) {{
  createBulkAction(input: $input) {{ {ACTION_FIELDS} }}
}}
"""
GET = f"query Get($id: ID!) {{ bulkAction(id: $id) {{ {ACTION_FIELDS} }} }}"
LOGS = """
query Logs($id: ID!, $status: LogStatus, $first: Int, $after: String) {
  bulkActionLogs(id: $id, status: $status, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node { entityId row sourceRow status reason message at } }
  }
}
"""
ENTITIES = """
query Entities($type: EntityType!, $ids: [ID!]) {
  entities(entityType: $type, ids: $ids, first: 1000) {
    totalCount edges { node { id data updatedAt } }
  }
}
"""
TERMINAL = {"COMPLETED", "COMPLETED_WITH_ERRORS", "FAILED", "CANCELLED"}


GraphQLError = ApiError


class GraphQLClient:
    """The app's API client plus the steps tests repeat; `execute` answers the whole
    response, `data` the data or GraphQLError."""

    def __init__(self, base_url: str, token: str | None) -> None:
        # Generous: a loaded 2-core machine may take long to answer a large upload.
        self.api = ApiClient(base_url, token, timeout=600)
        self.http = self.api.http

    async def __aenter__(self) -> "GraphQLClient":
        return self

    async def __aexit__(
        self, *exc: type[BaseException] | BaseException | TracebackType | None
    ) -> None:
        await self.api.http.aclose()

    async def execute(self, query: str, **variables: Any) -> dict[str, Any]:
        return await self.api.request(query, **variables)

    async def data(self, query: str, **variables: Any) -> dict[str, Any]:
        return await self.api.execute(query, **variables)

    async def create(self, **input: Any) -> dict[str, Any]:
        created: dict[str, Any] = (await self.data(CREATE, input=input))["createBulkAction"]
        return created

    async def action(self, action_id: str) -> dict[str, Any]:
        action: dict[str, Any] = (await self.data(GET, id=action_id))["bulkAction"]
        return action

    async def wait(self, action_id: str, timeout: float = 300) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            action = await self.action(action_id)
            if action["status"] in TERMINAL:
                return action
            if time.monotonic() > deadline:
                raise AssertionError(f"action still {action['status']}: {action['stats']}")
            await asyncio.sleep(0.2)

    async def run(self, **input: Any) -> dict[str, Any]:
        return await self.wait((await self.create(**input))["id"])

    async def entities(self, entity_type: str, ids: list[str] | None) -> dict[str, Any]:
        """Entity data by id."""
        page = (await self.data(ENTITIES, type=entity_type, ids=ids))["entities"]
        return {edge["node"]["id"]: edge["node"]["data"] for edge in page["edges"]}

    async def all_logs(self, action_id: str, status: str | None = None) -> list[dict[str, Any]]:
        logs: list[dict[str, Any]] = []
        after = None
        while True:
            page = (await self.data(LOGS, id=action_id, status=status, first=1000, after=after))[
                "bulkActionLogs"
            ]
            logs += [edge["node"] for edge in page["edges"]]
            if not page["pageInfo"]["hasNextPage"]:
                return logs
            after = page["pageInfo"]["endCursor"]


async def multipart_create(gql: GraphQLClient, content: bytes, **input: Any) -> dict[str, Any]:
    operations = {"query": CREATE, "variables": {"input": {**input, "file": None}}}
    response = await gql.http.post(
        "/graphql",
        data={
            "operations": json.dumps(operations),
            "map": json.dumps({"0": ["variables.input.file"]}),
        },
        files={"0": ("contacts.csv", content, "text/csv")},
    )
    body: dict[str, Any] = response.json()
    return body


async def upload(gql: GraphQLClient, content: bytes) -> httpx.Response:
    return await gql.http.post("/uploads", content=content, headers={"content-type": "text/csv"})
