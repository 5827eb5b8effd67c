"""Times each query and mutation for /metrics (app.infra.metrics), labelled by its type and
root field: names from the schema, so the label's values are bounded whatever clients send."""

import time
from collections.abc import Iterator

from graphql import FieldNode, OperationDefinitionNode
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionContext
from strawberry.types.graphql import OperationType

from app.infra.metrics import API_SECONDS

UNKNOWN = "unknown"


def operation_label(context: ExecutionContext) -> str:
    """ "query bulkAction", "mutation createBulkAction"…; "unknown" when it names nothing the
    schema has (it did not parse or validate)."""
    document = context.graphql_document
    if document is None:
        return UNKNOWN
    for definition in document.definitions:
        if not isinstance(definition, OperationDefinitionNode):
            continue
        if context.operation_name and (
            definition.name is None or definition.name.value != context.operation_name
        ):
            continue
        root = context.schema._schema.get_root_type(definition.operation)
        for selection in definition.selection_set.selections:
            if isinstance(selection, FieldNode) and root and selection.name.value in root.fields:
                return f"{definition.operation.value} {selection.name.value}"
    return UNKNOWN


class OperationTiming(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        started = time.perf_counter()
        yield
        context = self.execution_context
        if context.graphql_document is not None and is_subscription(context):
            return  # lasts as long as its client listens: not a request's latency
        API_SECONDS.labels(operation_label(context)).observe(time.perf_counter() - started)


def is_subscription(context: ExecutionContext) -> bool:
    try:
        return context.operation_type is OperationType.SUBSCRIPTION
    except RuntimeError:
        return False  # no operation of the name asked for: refused, timed as "unknown"
