"""The schema, with every error carrying `extensions.code`."""

import logging

import strawberry
from graphql import GraphQLError
from strawberry.types import ExecutionContext

from app.domain.errors import AppError
from graphql_schema.mutations import Mutation
from graphql_schema.queries import Query
from graphql_schema.subscriptions import Subscription

logger = logging.getLogger(__name__)


def error_code(error: GraphQLError) -> str:
    original = error.original_error
    if isinstance(original, AppError):
        return original.code
    if isinstance(original, GraphQLError):
        # graphql-core's own coercion errors (an unknown enum value, a malformed scalar).
        return "BAD_USER_INPUT"
    if original is not None:
        return "INTERNAL_SERVER_ERROR"
    if error.message.startswith("Syntax Error"):
        return "GRAPHQL_PARSE_FAILED"
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
            if code == "INTERNAL_SERVER_ERROR":
                logger.error("unexpected error", exc_info=error.original_error)
                error.message = "Internal server error."
            error.extensions = {**(error.extensions or {}), "code": code}


schema = Schema(query=Query, mutation=Mutation, subscription=Subscription)
