"""The deployment's bounds on what a request may ask, from settings, for the use cases to
check before any other work (so a refusal costs no database command)."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from pymongo.errors import ExecutionTimeout

from app.domain.errors import QueryTooComplex
from app.domain.filters import FilterBounds, check_filter_size
from app.infra.settings import get_settings


def filter_bounds() -> FilterBounds:
    settings = get_settings()
    return FilterBounds(
        values=settings.filter_max_values,
        value_length=settings.filter_max_value_length,
        conditions=settings.filter_max_conditions,
        groups=settings.filter_max_groups,
    )


def check_filter_bounds(raw: Any, where: str = "filter") -> None:
    """BadUserInput naming the bound, when a filter given is larger than the deployment allows."""
    if raw is not None:
        check_filter_size(raw, filter_bounds(), where)


@contextmanager
def database_time() -> Iterator[int]:
    """Gives the database time (ms) a query may take, and refuses the request with
    QUERY_TOO_COMPLEX when the database stops it there: no request holds the database long."""
    limit = get_settings().query_max_time_ms
    try:
        yield limit
    except ExecutionTimeout:
        raise QueryTooComplex(
            f"The query took more than {limit:,} ms of database time and was stopped; "
            "narrow its filter."
        ) from None
