"""Execution with plain leaves taken straight from their objects.

A page of logs is 50 nodes of six scalar and enum fields: graphql-core runs each of those 300
fields through its whole machinery (a resolve info, the resolver, checks for an awaitable,
`complete_value`'s dispatch), and completing the page's list was two fifths of the API's
time on it. Most such fields are plain: no arguments, resolved by Strawberry's "basic"
resolver (which reads the attribute), of a scalar or enum type. A plain field's value is read
here directly (the attribute itself where that resolver is `getattr`) and coerced as
`complete_leaf_value` would. Anything else goes the usual way, and so does a plain field
whose value is not an ordinary one (null where its type forbids it, or a value its type
refuses): the usual path reads it again and reports the error as it always did, with its
path and location. Middleware (a schema extension with `resolve`) turns the shortcut off,
since it must see every field.
"""

from collections.abc import Callable
from operator import attrgetter
from typing import Any, NamedTuple
from weakref import WeakKeyDictionary

from graphql import GraphQLField, GraphQLNonNull, GraphQLObjectType, GraphQLSchema, is_leaf_type
from graphql.execution.collect_fields import FieldDetailsList
from graphql.pyutils import Path, Undefined
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField


class PlainLeaf(NamedTuple):
    """How a plain leaf's value is read from its object and coerced."""

    read: Callable[[Any], Any]
    coerce: Callable[[Any], Any]
    non_null: bool


_leaves: WeakKeyDictionary[GraphQLSchema, dict[tuple[str, str], PlainLeaf]] = WeakKeyDictionary()


def plain_leaf(field: GraphQLField) -> PlainLeaf | None:
    """The field as a plain leaf, if it is one: resolved by Strawberry's basic resolver
    (`_is_default`: no resolver, extension or permission of its own), without arguments,
    of a scalar or enum type."""
    resolve = field.resolve
    if resolve is None or not getattr(resolve, "_is_default", False) or field.args:
        return None
    kind = field.type
    non_null = isinstance(kind, GraphQLNonNull)
    leaf = kind.of_type if isinstance(kind, GraphQLNonNull) else kind
    if not is_leaf_type(leaf):
        return None
    return PlainLeaf(attribute_reader(field, resolve), leaf.coerce_output_value, non_null)


def attribute_reader(field: GraphQLField, resolve: Callable[..., Any]) -> Callable[[Any], Any]:
    """What `resolve`, the field's basic resolver, returns for an object: the attribute itself
    where Strawberry's default resolver is `getattr` (three calls fewer a value), else its call."""
    defined = field.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if isinstance(defined, StrawberryField) and defined.default_resolver is getattr:
        return attrgetter(defined.python_name)
    return lambda source: resolve(source, None)


def plain_leaves(schema: GraphQLSchema) -> dict[tuple[str, str], PlainLeaf]:
    """The schema's plain leaves by (object type, field), found once per schema."""
    found = _leaves.get(schema)
    if found is None:
        found = _leaves[schema] = {
            (kind.name, name): leaf
            for kind in schema.type_map.values()
            if isinstance(kind, GraphQLObjectType)
            for name, field in kind.fields.items()
            if (leaf := plain_leaf(field)) is not None
        }
    return found


class PlainLeavesExecution(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's execution context, plain leaves taken the short way (see the module)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        manager = self.middleware_manager
        self.leaves = plain_leaves(self.schema) if not (manager and manager.middlewares) else {}

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: FieldDetailsList,
        path: Path,
        position_context: Any,
    ) -> Any:
        node = field_details_list[0].node
        leaf = self.leaves.get((parent_type.name, node.name.value))
        if leaf is not None and len(field_details_list) == 1 and not node.arguments:
            try:
                value = leaf.read(source)
                if value is None:
                    if not leaf.non_null:
                        return None
                elif (coerced := leaf.coerce(value)) is not None and coerced is not Undefined:
                    return coerced
            except Exception:  # the usual path reports it
                pass
        return super().execute_field(
            parent_type, source, field_details_list, path, position_context
        )
