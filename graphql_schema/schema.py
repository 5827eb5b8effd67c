"""The schema, with every error carrying `extensions.code`.

`python -m graphql_schema.schema > schema.graphql` prints its SDL, which is kept committed."""

import logging
from collections.abc import Callable
from functools import partial

import strawberry
from graphql import GraphQLError
from graphql.validation import MaxIntrospectionDepthRule
from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
    ValidationCache,
)
from strawberry.types import ExecutionContext

from app.domain.errors import AppError
from app.infra.outages import as_outage
from app.infra.settings import get_settings
from graphql_schema.access.scopes import scoped
from graphql_schema.mutations import Mutation
from graphql_schema.operations.execution import PlainLeavesExecution
from graphql_schema.operations.timing import OperationTiming
from graphql_schema.queries import Query
from graphql_schema.subscriptions import Subscription

logger = logging.getLogger(__name__)


# Distinct operation texts whose parsed document and validation are kept (least recently used
# first out): clients send the same few operations over and over, with other variables.
CACHED_OPERATIONS = 256
# What Strawberry's limiters and graphql-core say of a request over a cost limit.
OVER_LIMIT = ("maximum operation depth", "aliases found", "Maximum introspection depth")


def error_code(error: GraphQLError) -> str:
    original = error.original_error
    if isinstance(original, AppError):
        return original.code
    if original is not None and as_outage(original) is not None:
        return "SERVICE_UNAVAILABLE"
    if isinstance(original, GraphQLError):
        # graphql-core's own coercion errors (an unknown enum value, a malformed scalar).
        return "BAD_USER_INPUT"
    if original is not None:
        return "INTERNAL_SERVER_ERROR"
    if any(sign in error.message for sign in OVER_LIMIT):
        return "QUERY_TOO_COMPLEX"
    if error.message.startswith("Syntax Error"):
        return "QUERY_TOO_COMPLEX" if "tokens" in error.message else "GRAPHQL_PARSE_FAILED"
    if error.message.startswith(("Variable '$", "Argument '", "Field '")) and (
        "got invalid value" in error.message or "of required type" in error.message
    ):
        return "BAD_USER_INPUT"
    if "Expected value of type" in error.message or "Expected type" in error.message:
        return "BAD_USER_INPUT"
    return "GRAPHQL_VALIDATION_FAILED"


class Schema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Gives each error a code; unexpected ones are logged and their message hidden."""
        for error in errors:
            code = error_code(error)
            extra: dict[str, object] = {}
            if code == "INTERNAL_SERVER_ERROR":
                logger.error("unexpected error", exc_info=error.original_error)
                error.message = "Internal server error."
            elif code == "SERVICE_UNAVAILABLE" and error.original_error is not None:
                outage = as_outage(error.original_error)
                assert outage is not None
                error.message, extra = outage.message, outage.extra
            error.extensions = {**(error.extensions or {}), **extra, "code": code}


def limits() -> list[Callable[[], SchemaExtension]]:
    """The cost limits every request is held to (settings), checked before any work; then
    each operation is timed for /metrics.

    An operation's text is parsed and validated once: its validation depends on the text and
    the rules, not on its variables, and a third of the API's time under load went to
    validating the same few operations again. The rules are made once for it, here: the
    limiters make a new rule class each time one of them is made, which no cache would find
    again."""
    settings = get_settings()
    rules = [
        *QueryDepthLimiter(max_depth=settings.graphql_max_depth).validation_rules,
        *MaxAliasesLimiter(max_alias_count=settings.graphql_max_aliases).validation_rules,
        # The depth limiter skips introspection; this bounds its nested lists instead.
        MaxIntrospectionDepthRule,
    ]
    if not settings.graphql_introspection:
        rules += DisableIntrospection().validation_rules
    return [
        partial(ParserCache, maxsize=CACHED_OPERATIONS),
        partial(ValidationCache, maxsize=CACHED_OPERATIONS),
        partial(MaxTokensLimiter, max_token_count=settings.graphql_max_tokens),
        partial(AddValidationRules, rules),
        OperationTiming,
    ]


scoped(Query, Mutation, Subscription)
schema = Schema(
    query=Query,
    mutation=Mutation,
    subscription=Subscription,
    extensions=limits(),
    execution_context_class=PlainLeavesExecution,
)


def sdl() -> str:
    return schema.as_str() + "\n"


if __name__ == "__main__":
    print(sdl(), end="")
