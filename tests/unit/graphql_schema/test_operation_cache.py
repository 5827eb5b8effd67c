"""An operation's text is parsed and validated once (graphql_schema.schema.limits): the rules
are made once, so the cache finds a repeat, and a repeat gets the same answer."""

from functools import _lru_cache_wrapper
from typing import Any, cast

from strawberry.extensions.validation_cache import _get_validate_cache

from graphql_schema.schema import CACHED_OPERATIONS, schema

TOO_DEEP = "{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }"


def test_a_repeated_operation_is_validated_once_and_answered_the_same() -> None:
    validated = cast("_lru_cache_wrapper[Any]", _get_validate_cache(CACHED_OPERATIONS))
    first = schema.execute_sync("{ noSuchField }")
    before = validated.cache_info()
    again = schema.execute_sync("{ noSuchField }")
    after = validated.cache_info()
    assert (after.hits, after.misses) == (before.hits + 1, before.misses)
    assert first.errors and again.errors
    assert [e.message for e in again.errors] == [e.message for e in first.errors]


def test_the_limits_hold_for_a_repeat_found_in_the_cache() -> None:
    for _ in range(2):
        result = schema.execute_sync(TOO_DEEP)
        assert result.errors
        assert result.errors[0].extensions == {"code": "QUERY_TOO_COMPLEX"}
