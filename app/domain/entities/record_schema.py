"""An entity schema's records validated as dicts.

Validation runs for every row of every reading of a file, so its cost is paid per row many
times. pydantic validates a model's fields in Rust, but building the model and dumping it to a
dict again costs more than the fields themselves. The same fields, constraints and config as a
TypedDict are validated straight into the dict that dumping would give (the fields a record
sets, in the schema's order), by the same validators, so results and errors are the model's:
tests/unit/domain/test_record_schema.py checks that they agree.
"""

import types
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Annotated, Any, Literal, NotRequired, Union, get_args, get_origin

from pydantic import BaseModel, TypeAdapter
from pydantic.fields import FieldInfo
from typing_extensions import TypedDict

# Made at run time from a model's fields, which a type checker cannot follow.
typed_dict: Any = TypedDict
# What validated values are already as JSON (a model's dump in mode="json" leaves them).
JSON_NATIVE = (str, int, float, bool, type(None), list, dict)


def field_type(info: FieldInfo) -> Any:
    """The field's type with its constraints (Field(max_length=…) and the like)."""
    if info.metadata:
        return Annotated[(info.annotation, *info.metadata)]
    return info.annotation


class RecordSchema:
    """Validates records of the model's fields into dicts, as `model_validate(record)
    .model_dump(mode="json", exclude_unset=True)` would."""

    def __init__(self, model: type[BaseModel]) -> None:
        fields = {name: NotRequired[field_type(info)] for name, info in model.model_fields.items()}
        shape = typed_dict(f"{model.__name__}Record", fields)
        shape.__pydantic_config__ = model.model_config
        self.adapter: TypeAdapter[dict[str, Any]] = TypeAdapter(shape)
        # pydantic-core's own validator, called without the adapter's wrapper in Python
        # (a sixth of a row's validation): the same call with the same defaults.
        self.check: Callable[[Any], dict[str, Any]] = self.adapter.validator.validate_python
        # Values that are not JSON as validated (dates) are dumped as the model dumps them.
        self.dumps = any(
            not issubclass(kind, JSON_NATIVE)
            for info in model.model_fields.values()
            for kind in leaf_types(info.annotation)
        )

        self.model = model
        self.fields: dict[str, tuple[TypeAdapter[Any], Callable[[Any], Any], bool]] = {}

    def validate(self, record: Mapping[str, Any]) -> dict[str, Any]:
        """The record's fields, validated; pydantic's ValidationError as the model raises it."""
        data = self.check(record)
        return self.adapter.dump_python(data, mode="json") if self.dumps else data

    def validate_field(self, name: str, value: Any) -> Any:
        """One field's value, validated as `validate({name: value})[name]` gives it (a third
        of its cost); pydantic's ValidationError, whose locations lack the field's name."""
        if (made := self.fields.get(name)) is None:
            info = self.model.model_fields[name]
            adapter = TypeAdapter[Any](field_type(info), config=self.model.model_config)
            dumps = any(not issubclass(kind, JSON_NATIVE) for kind in leaf_types(info.annotation))
            made = self.fields[name] = (adapter, adapter.validator.validate_python, dumps)
        adapter, check, dumps = made
        checked = check(value)
        return adapter.dump_python(checked, mode="json") if dumps else checked


def leaf_types(annotation: Any) -> list[type]:
    """The classes a type annotation's values can be of."""
    origin = get_origin(annotation)
    if origin is Literal:
        return [type(value) for value in get_args(annotation)]
    if origin is Annotated:
        return leaf_types(get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        return [leaf for arg in get_args(annotation) for leaf in leaf_types(arg)]
    if origin in (list, dict):
        return [origin, *(leaf for arg in get_args(annotation) for leaf in leaf_types(arg))]
    return [annotation] if isinstance(annotation, type) else [object]


@lru_cache(maxsize=1024)
def record_schema(model: type[BaseModel]) -> RecordSchema:
    """The model's record schema, made once per model."""
    return RecordSchema(model)
