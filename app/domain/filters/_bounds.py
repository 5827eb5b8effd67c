"""How large a filter may be, checked on its raw form before anything else reads it.

A filter is the one input whose size does not show in a request's rows: 100,000 values in one
`in`, or a 1 MB `prefix`, would each make every query with it expensive. The bounds are the
deployment's (settings, passed in by the use cases); the check walks the raw input once and
does no database work, so a refusal is cheap. Shapes it does not know are left to
`check_filter`, which says what is wrong with them.
"""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from app.domain.errors import BadUserInput


@dataclass(frozen=True)
class FilterBounds:
    values: int  # values in one condition's list (`in`, `hasAny`…)
    value_length: int  # characters of one text value
    conditions: int  # conditions in the whole filter, nested groups included
    groups: int  # `any` groups in the whole filter


def check_filter_size(raw: Any, bounds: FilterBounds, where: str = "filter") -> None:
    """BadUserInput naming the bound a filter exceeds; nothing when it fits."""
    conditions = groups = 0
    for path, kind, item in walk(raw, where):
        if kind == "group":
            groups += 1
            if groups > bounds.groups:
                raise BadUserInput(f"{path}: a filter holds at most {bounds.groups} `any` groups.")
        elif kind == "condition":
            conditions += 1
            if conditions > bounds.conditions:
                raise BadUserInput(
                    f"{path}: a filter holds at most {bounds.conditions} conditions in all."
                )
        elif kind == "values" and len(item) > bounds.values:
            raise BadUserInput(
                f"{path}: {len(item):,} values, at most {bounds.values:,} in one condition."
            )
        elif kind == "text" and len(item) > bounds.value_length:
            raise BadUserInput(
                f"{path}: a value of {len(item):,} characters, at most {bounds.value_length:,}."
            )


def walk(raw: Any, where: str) -> Iterator[tuple[str, str, Any]]:
    """(path, kind, item) of a raw filter's groups, conditions, value lists and texts."""
    if not isinstance(raw, Mapping):
        return
    conditions = raw.get("conditions")
    if isinstance(conditions, list):
        for n, condition in enumerate(conditions):
            path = f"{where}.conditions[{n}]"
            yield path, "condition", condition
            if isinstance(condition, Mapping):
                for name, value in condition.items():
                    yield from values(f"{path}.{name}", value)
    groups = raw.get("any")
    if isinstance(groups, list):
        for n, group in enumerate(groups):
            yield f"{where}.any[{n}]", "group", group
            yield from walk(group, f"{where}.any[{n}]")


def values(path: str, value: Any) -> Iterator[tuple[str, str, Any]]:
    if isinstance(value, str):
        yield path, "text", value
    elif isinstance(value, list):
        yield path, "values", value
        for n, item in enumerate(value):
            if isinstance(item, str):
                yield f"{path}[{n}]", "text", item
