"""Keyset pages: opaque cursors over a sort key, never skip/offset.

A list is read in one of two directions, as Relay's connection arguments ask: `first` items
after the `after` cursor (forward), or the `last` items before the `before` cursor
(backward), each cursor optional and both usable as bounds together. A backward page is read
from its end towards its start, by the same keyset in reverse, and shown in list order.
"""

import base64
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from app.domain.errors import BadUserInput
from app.infra.settings import get_settings

T = TypeVar("T")


@dataclass(frozen=True)
class PageRequest:
    """Relay's four arguments; `first` and `last` together are refused (the spec discourages
    them, and no client needs them)."""

    first: int | None = None
    after: str | None = None
    last: int | None = None
    before: str | None = None

    def __post_init__(self) -> None:
        if self.first is not None and self.last is not None:
            raise BadUserInput("Give `first` (with `after`) or `last` (with `before`), not both.")
        page_size(self.first, "first")
        page_size(self.last, "last")

    @property
    def backward(self) -> bool:
        """Read from the end: `last` given, or `before` without `first`."""
        return self.last is not None or (self.before is not None and self.first is None)

    @property
    def size(self) -> int:
        if self.backward:
            return page_size(self.last, "last")
        return page_size(self.first, "first")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[tuple[str, T]]  # (cursor, item), in list order
    has_next_page: bool
    total_count: int
    has_previous_page: bool = False

    @property
    def start_cursor(self) -> str | None:
        return self.items[0][0] if self.items else None

    @property
    def end_cursor(self) -> str | None:
        return self.items[-1][0] if self.items else None


def page_of(
    found: Sequence[T],
    request: PageRequest,
    cursor_of: Callable[[T], str],
    total_count: int,
    more: bool | None = None,
) -> Page[T]:
    """A page from what a read found in its reading order (list order forward, reverse order
    backward), up to one item more than the page holds to tell whether more lie beyond
    (or `more` says so, where the reader knows without reading it).

    Beyond a given cursor on the other side lie more items (that is where the cursor came
    from); Relay lets a server say so without counting them."""
    size = request.size
    kept = list(found[:size])
    if request.backward:
        kept.reverse()
    if more is None:
        more = len(found) > size
    return Page(
        items=[(cursor_of(item), item) for item in kept],
        has_next_page=request.before is not None if request.backward else more,
        has_previous_page=more if request.backward else request.after is not None,
        total_count=total_count,
    )


def encode_cursor(kind: str, value: str | int) -> str:
    return base64.urlsafe_b64encode(f"{kind}:{value}".encode()).decode()


def decode_cursor(kind: str, cursor: str) -> str:
    try:
        prefix, _, value = base64.urlsafe_b64decode(cursor.encode()).decode().partition(":")
    except (ValueError, UnicodeDecodeError):
        prefix, value = "", ""
    if prefix != kind or not value:
        raise not_a_cursor(cursor)
    return value


def not_a_cursor(cursor: str) -> BadUserInput:
    return BadUserInput(
        f"{cursor!r} is not a cursor of this list: `after` and `before` take the cursor of "
        "one of its edges (or pageInfo's startCursor / endCursor)."
    )


def page_size(size: int | None, argument: str = "first") -> int:
    settings = get_settings()
    if size is None:
        return settings.page_size_default
    if not 1 <= size <= settings.page_size_max:
        raise BadUserInput(f"`{argument}` must be between 1 and {settings.page_size_max}.")
    return size


def tighten(bounds: dict[str, Any], operator: str, value: Any) -> dict[str, Any]:
    """`bounds` (a field's range, e.g. {"$gte": a}) narrowed by one more `operator` bound;
    two bounds of one operator keep the narrower, as a query document has one of each."""
    narrowed = dict(bounds)
    if operator in narrowed:
        pick = min if operator in ("$lt", "$lte") else max
        value = pick(narrowed[operator], value)
    narrowed[operator] = value
    return narrowed


def keyset_bounds(request: PageRequest, descending: bool) -> list[tuple[str, str]]:
    """The (operator, cursor) bounds the request's cursors put on a key sorted ascending or
    descending in list order: after a cursor lies the rest of the list, before it the start."""
    onward, backward = ("$lt", "$gt") if descending else ("$gt", "$lt")
    bounds = []
    if request.after is not None:
        bounds.append((onward, request.after))
    if request.before is not None:
        bounds.append((backward, request.before))
    return bounds


def reading_order(request: PageRequest, descending: bool) -> str:
    """The sort direction on the key for reading the page, as Beanie's prefix: "+" or "-"."""
    return "-" if descending != request.backward else "+"
