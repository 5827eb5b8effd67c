"""Relay connections: the page types every list answers, and the four paging arguments."""

from collections.abc import Callable
from typing import Annotated, Generic, TypeVar

import strawberry

from app.usecases.reading.pagination import Page, PageRequest
from graphql_schema.context import Info

N = TypeVar("N")
T = TypeVar("T")

First = Annotated[
    int | None,
    strawberry.argument(description="Page forward: this many items (default 50, at most 1,000)."),
]
After = Annotated[
    str | None,
    strawberry.argument(description="Page forward from this cursor: the items after it."),
]
Last = Annotated[
    int | None,
    strawberry.argument(description="Page backward: the last this many items (before `before`)."),
]
Before = Annotated[
    str | None,
    strawberry.argument(description="Page backward from this cursor: the items before it."),
]


def page_request(
    info: Info, first: int | None, after: str | None, last: int | None, before: str | None
) -> PageRequest:
    """The request's paging, its size charged to the query's node budget."""
    request = PageRequest(first=first, after=after, last=last, before=before)
    info.context.charge_nodes(request.size)
    return request


@strawberry.type(description="Where a page of a connection lies in it (Relay).")
class PageInfo:
    has_next_page: bool = strawberry.field(
        description="Whether items come after this page (paging backward: before a cursor)."
    )
    has_previous_page: bool = strawberry.field(
        description="Whether items come before this page (paging forward: after a cursor)."
    )
    start_cursor: str | None = strawberry.field(
        description="The first edge's cursor: `before` it lies the previous page."
    )
    end_cursor: str | None = strawberry.field(
        description="The last edge's cursor: `after` it lies the next page."
    )


@strawberry.type(description="One item of a page and its cursor.")
class Edge(Generic[N]):
    cursor: str = strawberry.field(description="Where this item lies, for `after`/`before`.")
    node: N = strawberry.field(description="The item.")


@strawberry.type(description="A page of a list, by keyset cursors (Relay connection).")
class Connection(Generic[N]):
    edges: list[Edge[N]] = strawberry.field(description="The page's items, in list order.")
    page_info: PageInfo = strawberry.field(description="Cursors and whether more lie around.")
    total_count: int = strawberry.field(description="Items in the whole list, every page.")


def connection(page: Page[T], convert: Callable[[T], N]) -> Connection[N]:
    return Connection(
        edges=[Edge(cursor=cursor, node=convert(item)) for cursor, item in page.items],
        page_info=PageInfo(
            has_next_page=page.has_next_page,
            has_previous_page=page.has_previous_page,
            start_cursor=page.start_cursor,
            end_cursor=page.end_cursor,
        ),
        total_count=page.total_count,
    )
