"""The database time bound: a query the database stops at `maxTimeMS` refuses the request
with QUERY_TOO_COMPLEX, saying the limit; other errors pass through."""

import pytest
from pymongo.errors import AutoReconnect, ExecutionTimeout

from app.domain.errors import QueryTooComplex
from app.infra.settings import get_settings
from app.usecases.bounds import database_time


def test_a_query_stopped_by_the_database_is_refused_naming_the_limit() -> None:
    limit = get_settings().query_max_time_ms
    with pytest.raises(QueryTooComplex, match=f"more than {limit:,} ms"), database_time() as ms:
        assert ms == limit
        raise ExecutionTimeout("operation exceeded time limit", code=50)


def test_other_errors_pass_through() -> None:
    with pytest.raises(AutoReconnect), database_time():
        raise AutoReconnect("down")
