"""Generated hostile inputs against the running API: 2,000 filters and createBulkAction inputs
from a seeded generator (the same cases every run), sent over HTTP as a client would. No answer
is a 500 or an error without `extensions.code`, and the API keeps answering its health check
all the while."""

import asyncio
import json
import random
from typing import Any

import httpx
import pytest

from app.infra.auth import issue_token
from tests.integration.conftest import new_account

CASES = 2000
SEED = 20261203
# Requests per account: the API's own limit is 1,200 a minute per account.
PER_ACCOUNT = 500

COUNT = "query($t: EntityType!, $f: EntityFilter!) { countEntities(entityType: $t, filter: $f) }"
CREATE = "mutation($i: CreateBulkActionInput!) { createBulkAction(input: $i) { id status } }"
STATUS = "query($id: ID!) { bulkAction(id: $id) { status } }"
TERMINAL = {"COMPLETED", "COMPLETED_WITH_ERRORS", "FAILED", "CANCELLED"}

FIELDS = ["email", "first_name", "tags", "score", "country", "unsubscribed", "created_at", "id"]
OPERATORS = [
    "eq",
    "ne",
    "in",
    "notIn",
    "exists",
    "lt",
    "lte",
    "gt",
    "gte",
    "prefix",
    "hasAny",
    "hasAll",
    "hasNone",
]
TEXTS = [
    "",
    " ",
    "a",
    "=cmd|' /C calc'!A0",
    "\u0000",
    "\ud800",
    "é" * 300,
    "$where",
    "a.b",
    "2026-01-01T00:00:00Z",
    "not-a-date",
    "0" * 24,
    "x" * 5000,
]
NUMBERS = [0, -1, 2**63, -(2**63) - 1, 2**64, 1e308, -1e308, 0.5, 10**30]


def value(rng: random.Random, depth: int = 0) -> Any:
    roll = rng.random()
    if roll < 0.3:
        return rng.choice(TEXTS)
    if roll < 0.5:
        return rng.choice(NUMBERS)
    if roll < 0.6:
        return rng.choice([True, False, None])
    if roll < 0.78 and depth == 0:
        return [value(rng, depth + 1) for _ in range(rng.choice([0, 1, 3]))]
    if roll < 0.8 and depth == 0:  # long, of scalars: past the bounds on values and lengths
        return [rng.choice([*TEXTS[:6], *NUMBERS]) for _ in range(1500)]
    if roll < 0.9 and depth < 2:
        return {rng.choice([*FIELDS, "$gt", "x"]): value(rng, depth + 1)}
    return rng.choice(TEXTS)


def condition(rng: random.Random) -> Any:
    if rng.random() < 0.05:
        return value(rng)
    found: dict[str, Any] = {"field": rng.choice([*FIELDS, "nope", "data.email", ""])}
    for _ in range(rng.choice([1, 1, 1, 0, 2])):
        found[rng.choice([*OPERATORS, "regex", "$ne"])] = value(rng)
    return found


def entity_filter(rng: random.Random, depth: int = 0) -> Any:
    roll = rng.random()
    if roll < 0.05:
        return value(rng)
    if roll < 0.1:
        return {"all": rng.choice([True, False, 1])}
    found: dict[str, Any] = {}
    if rng.random() < 0.9:
        count = rng.choice([0, 1, 2, 5, 5, 101]) if depth == 0 else rng.choice([0, 1, 2])
        found["conditions"] = [condition(rng) for _ in range(count)]
    if rng.random() < 0.3 and depth < 6:
        count = rng.choice([0, 1, 2, 60]) if depth == 0 else rng.choice([0, 1, 2])
        found["any"] = [entity_filter(rng, depth + 1) for _ in range(count)]
    if rng.random() < 0.05:
        found[rng.choice(["none", "$or", "all"])] = value(rng)
    return found


def create_input(rng: random.Random) -> dict[str, Any]:
    given: dict[str, Any] = {
        "entityType": rng.choice(["CONTACT", "COMPANY", "LEAD"]),
        "actionType": rng.choice(["UPDATE", "DELETE", "EXPORT", "INSERT", "UPSERT"]),
        "dryRun": True,
    }
    kinds = [
        "filter",
        "records",
        "entityIds",
        "fields",
        "columns",
        "unset",
        "increment",
        "addToList",
        "removeFromList",
        "idempotencyKey",
        "scheduledAt",
        "columnMap",
    ]
    for name in rng.sample(kinds, rng.choice([1, 2, 3])):
        if name == "filter":
            given[name] = entity_filter(rng)
        elif name == "records":
            given[name] = [
                {rng.choice([*FIELDS, "domain", "$set", ""]): value(rng)}
                for _ in range(rng.choice([0, 1, 3]))
            ]
        else:
            given[name] = value(rng)
    return given


def case(rng: random.Random) -> tuple[str, dict[str, Any]]:
    if rng.random() < 0.5:
        entity_type = rng.choice(["CONTACT", "COMPANY", "LEAD"])
        return COUNT, {"t": entity_type, "f": entity_filter(rng)}
    return CREATE, {"i": create_input(rng)}


def problems(response: httpx.Response) -> list[str]:
    """What is wrong with an answer: a 5xx, or an error without a code."""
    if response.status_code >= 500:
        return [f"HTTP {response.status_code}: {response.text[:300]}"]
    body = response.json()
    return [
        f"error without a code: {error}"
        for error in body.get("errors") or []
        if not (error.get("extensions") or {}).get("code")
        or error["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    ]


@pytest.mark.slow(1)
async def test_generated_hostile_inputs_never_get_a_500(api_url: str) -> None:
    rng = random.Random(SEED)
    cases = [case(rng) for _ in range(CASES)]
    found: list[str] = []
    checks = 0
    done = asyncio.Event()
    created: list[tuple[str, dict[str, str]]] = []

    async def watch_health(http: httpx.AsyncClient) -> None:
        """The health check answers all along (a generous deadline: a loaded machine)."""
        nonlocal checks
        while not done.is_set():
            answer = await http.get("/health/live", timeout=30)
            assert answer.status_code == 200
            checks += 1
            await asyncio.sleep(0.5)

    async def send(http: httpx.AsyncClient, batch: list[tuple[str, dict[str, Any]]]) -> None:
        headers = {
            "Authorization": f"Bearer {issue_token(new_account())}",
            "Content-Type": "application/json",
        }
        for query, variables in batch:
            # ASCII JSON: lone surrogates travel as \\ud800 escapes, as a hostile client sends them.
            body = json.dumps({"query": query, "variables": variables})
            answer = await http.post("/graphql", content=body, headers=headers)
            found.extend(f"{problem} for {str(variables)[:300]}" for problem in problems(answer))
            made = (answer.json().get("data") or {}) if answer.status_code < 500 else {}
            if made.get("createBulkAction"):
                created.append((made["createBulkAction"]["id"], headers))

    async def ended(http: httpx.AsyncClient) -> None:
        """The dry runs the cases made have ended: none is left running into a later test
        (the row counters of test_metrics count every action's rows)."""
        deadline = asyncio.get_running_loop().time() + 300
        for action_id, headers in created:
            while True:
                body = json.dumps({"query": STATUS, "variables": {"id": action_id}})
                answer = await http.post("/graphql", content=body, headers=headers)
                if answer.json()["data"]["bulkAction"]["status"] in TERMINAL:
                    break
                assert asyncio.get_running_loop().time() < deadline, action_id
                await asyncio.sleep(0.2)

    async with httpx.AsyncClient(base_url=api_url, timeout=120) as http:
        health = asyncio.create_task(watch_health(http))
        batches = [cases[start : start + PER_ACCOUNT] for start in range(0, CASES, PER_ACCOUNT)]
        try:
            await asyncio.gather(*(send(http, batch) for batch in batches))
        finally:
            done.set()
            await health
        await ended(http)
    assert found == []
    assert checks > 0
