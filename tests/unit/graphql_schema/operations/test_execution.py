"""Plain leaves taken the short way answer exactly as Strawberry's own execution does: the same
data and the same errors (message, path, location), for values of every kind, nulls allowed
and not, values a scalar refuses, aliases, repeated fields, directives, fields with
arguments or resolvers of their own, and with middleware present."""

import enum
from datetime import UTC, datetime
from typing import Any, NewType

import pytest
import strawberry
from strawberry.extensions import SchemaExtension
from strawberry.schema.config import StrawberryConfig
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from graphql_schema.operations.execution import PlainLeavesExecution, plain_leaves
from graphql_schema.schema import schema as platform_schema

Picky = NewType("Picky", str)
# A scalar that refuses a value as it is sent: its error must be reported as before.
CONFIG = StrawberryConfig(
    scalar_map={
        Picky: strawberry.scalar(
            name="Picky",
            serialize=lambda value: value if value != "refused" else int("not a number"),
            parse_value=str,
        )
    }
)


@strawberry.enum
class Colour(enum.Enum):
    RED = "red"
    BLUE = "blue"


@strawberry.type
class Item:
    number: int
    name: str | None
    colour: Colour
    at: datetime
    must: str
    picky: Picky | None
    ident: strawberry.ID | None

    @strawberry.field
    def shout(self, times: int = 1) -> str:
        return (self.must.upper() + " ") * times

    @strawberry.field
    def computed(self) -> int:
        return self.number * 2


def item(number: int, **changes: Any) -> Item:
    made: dict[str, Any] = {
        "number": number,
        "name": f"item {number}" if number % 2 else None,
        "colour": Colour.RED if number % 3 else Colour.BLUE,
        "at": datetime(2026, 1, 1, 12, number % 60, tzinfo=UTC),
        "must": "here",
        "picky": "fine",
        "ident": strawberry.ID(str(number)),
    }
    return Item(**{**made, **changes})


@strawberry.type
class Query:
    @strawberry.field
    def items(self) -> list[Item]:
        return [item(n) for n in range(1, 8)]

    @strawberry.field
    def broken(self) -> list[Item | None]:
        # A null where the type forbids it, and a value the scalar refuses.
        return [item(1), item(2, must=None), item(3, picky="refused"), item(4, colour="mauve")]

    @strawberry.field
    async def later(self) -> list[Item]:
        return [item(n) for n in range(1, 4)]


class Middleware(SchemaExtension):
    def resolve(self, _next: Any, root: Any, info: Any, *args: Any, **kwargs: Any) -> Any:
        found = _next(root, info, *args, **kwargs)
        return found.upper() if isinstance(found, str) and info.field_name == "must" else found


QUERIES = [
    "{ items { number name colour at must picky ident } }",
    "{ items { n: number number again: name name __typename } }",
    "{ items { number ...F } } fragment F on Item { name number colour }",
    "query($yes: Boolean!) { items { number @include(if: $yes) name @skip(if: $yes) } }",
    "{ items { shout(times: 2) computed number } }",
    "{ broken { number must } }",
    "{ broken { number picky } }",
    "{ broken { number colour } }",
    "{ broken { number name must picky colour at } }",
    "{ later { number name } items { number } }",
]


async def answer(execution: type[Any], query: str, **extra: Any) -> dict[str, Any]:
    built = strawberry.Schema(
        query=Query, execution_context_class=execution, config=CONFIG, **extra
    )
    result = await built.execute(query, variable_values={"yes": True})
    return {
        "data": result.data,
        "errors": [(e.message, e.path, e.locations) for e in result.errors or []],
    }


@pytest.mark.parametrize("query", QUERIES)
async def test_answers_as_strawberry_does(query: str) -> None:
    ours = await answer(PlainLeavesExecution, query)
    theirs = await answer(StrawberryGraphQLCoreExecutionContext, query)
    assert ours == theirs


@pytest.mark.parametrize("query", QUERIES)
async def test_answers_as_strawberry_does_with_middleware(query: str) -> None:
    ours = await answer(PlainLeavesExecution, query, extensions=[Middleware])
    theirs = await answer(StrawberryGraphQLCoreExecutionContext, query, extensions=[Middleware])
    assert ours == theirs
    if "must" in query and "broken" not in query:
        assert ours["data"] is not None and ours["data"]["items"][0]["must"] == "HERE"


async def test_errors_are_still_reported_where_they_are() -> None:
    found = await answer(PlainLeavesExecution, "{ broken { number must picky colour } }")
    paths = sorted(tuple(path) for _, path, _ in found["errors"])
    assert paths == [("broken", 1, "must"), ("broken", 2, "picky"), ("broken", 3, "colour")]


def test_plain_leaves_are_the_basic_scalar_and_enum_fields() -> None:
    built = strawberry.Schema(query=Query, config=CONFIG)
    found = {field for kind, field in plain_leaves(built._schema) if kind == "Item"}
    assert found == {"number", "name", "colour", "at", "must", "picky", "ident"}


def test_the_platform_executes_log_pages_the_short_way() -> None:
    assert platform_schema.execution_context_class is PlainLeavesExecution
    found = {
        field for kind, field in plain_leaves(platform_schema._schema) if kind == "BulkActionLog"
    }
    assert {"row", "status", "reason", "entityId", "message", "at"} <= found


@strawberry.type
class Row:
    number: int
    name: str | None


@strawberry.type
class DictQuery:
    @strawberry.field
    def rows(self) -> list[Row]:
        return [{"number": n, "name": None if n % 2 else f"row {n}"} for n in range(4)]  # type: ignore[misc]


async def test_a_configured_default_resolver_still_reads_the_values() -> None:
    """Strawberry's default resolver can be other than getattr (here: items of dicts)."""
    config = StrawberryConfig(default_resolver=lambda source, name: source[name])
    answers = []
    for execution in (PlainLeavesExecution, StrawberryGraphQLCoreExecutionContext):
        built = strawberry.Schema(query=DictQuery, execution_context_class=execution, config=config)
        result = await built.execute("{ rows { number name } }")
        answers.append((result.data, result.errors))
    assert answers[0] == answers[1]
    assert answers[0][0] == {
        "rows": [{"number": n, "name": None if n % 2 else f"row {n}"} for n in range(4)]
    }
