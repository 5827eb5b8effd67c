"""Every bound on a filter: just under it works, just over it is BAD_USER_INPUT naming the
limit, within a second and without one database command (the schema runs in this process,
its MongoDB commands counted), for countEntities, entities and createBulkAction alike."""

import time
from collections.abc import Callable
from typing import Any, cast

import pytest
from strawberry.types import ExecutionResult

from app.domain.principal import Principal
from app.infra.settings import get_settings
from graphql_schema.context import Context
from graphql_schema.schema import schema
from tests.integration.commands import COUNTER

COUNT = "query($f: EntityFilter!) { countEntities(entityType: CONTACT, filter: $f) }"
LIST = "query($f: EntityFilter!) { entities(entityType: CONTACT, filter: $f) { totalCount } }"
CREATE = """mutation($f: EntityFilter!) { createBulkAction(input: {entityType: CONTACT,
  actionType: UPDATE, filter: $f, fields: {city: "X"}, dryRun: true}) { id } }"""


def condition(n: int) -> dict[str, Any]:
    return {"field": "score", "gt": n}


def values(count: int) -> dict[str, Any]:
    return {"conditions": [{"field": "country", "in": [f"c{n}" for n in range(count)]}]}


def value_length(length: int) -> dict[str, Any]:
    return {"conditions": [{"field": "first_name", "prefix": "a" * length}]}


def conditions(count: int) -> dict[str, Any]:
    """`count` conditions in all, 100 to a list (the most one list takes)."""
    lists = [
        [condition(n) for n in range(start, min(start + 100, count))]
        for start in range(0, count, 100)
    ]
    return {"any": [{"conditions": each} for each in lists]}


def groups(count: int) -> dict[str, Any]:
    return {"any": [{"conditions": [condition(n)]} for n in range(count)]}


BOUNDS: list[tuple[str, Callable[[int], dict[str, Any]], str]] = [
    ("filter_max_values", values, "values, at most"),
    ("filter_max_value_length", value_length, "characters, at most"),
    ("filter_max_conditions", conditions, "conditions in all"),
    ("filter_max_groups", groups, "`any` groups"),
]


async def run(query: str, account: str, filter: dict[str, Any]) -> ExecutionResult:
    context = Context(request=cast(Any, None), caller=Principal(account_id=account))
    return await schema.execute(query, variable_values={"f": filter}, context_value=context)


@pytest.mark.parametrize("query", [COUNT, LIST, CREATE], ids=["count", "entities", "create"])
@pytest.mark.parametrize(("setting", "make", "said"), BOUNDS, ids=[b[0] for b in BOUNDS])
async def test_a_bound_holds_at_its_limit_and_refuses_past_it(
    database: None,
    account: str,
    query: str,
    setting: str,
    make: Callable[[int], dict[str, Any]],
    said: str,
) -> None:
    limit = getattr(get_settings(), setting)
    under = await run(query, account, make(limit))
    assert under.errors is None, under.errors

    started = time.monotonic()
    with COUNTER.counting() as commands:
        over = await run(query, account, make(limit + 1))
    assert time.monotonic() - started < 1
    assert over.errors is not None and len(over.errors) == 1
    error = over.errors[0]
    assert error.extensions is not None and error.extensions["code"] == "BAD_USER_INPUT"
    assert said in error.message and f"{limit:,}" in error.message, error.message
    assert commands == []
