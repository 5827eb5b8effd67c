"""Records validated as dicts (app.domain.entities.record_schema) give what the entity's
pydantic model gives: the same dict as its dump, or the same errors, for any record, of every
entity type and of a schema extended with every custom field kind."""

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from app.domain.entities import entities
from app.domain.entities.record_schema import record_schema
from tests.unit.domain.fields.test_kinds import EXTENDED

MODELS = [entities.get(name).fields for name in entities.names()]
MODELS.append(EXTENDED.fields)  # every custom field kind

texts = st.one_of(
    st.text(max_size=12),
    st.sampled_from(
        [
            "",
            " ",
            "  padded ",
            "0",
            "-7",
            "007",
            "1e3",
            "2.5",
            "true",
            "no",
            "YES",
            "2024-02-29",
            "2024-02-30",
            "free",
            " pro",
            "lead",
            "customer",
            "x" * 101,
            "x" * 301,
            "\u00a0a",
        ]
    ),
    st.text(min_size=190, max_size=260, alphabet="ab "),
)
values = st.one_of(
    st.none(),
    texts,
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.booleans(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.lists(texts, max_size=4),
    st.lists(st.just("t"), min_size=99, max_size=102),
)


def by_model(model: type[BaseModel], record: dict[str, Any]) -> Any:
    try:
        return model.model_validate(record).model_dump(mode="json", exclude_unset=True)
    except ValidationError as exc:
        return [(e["loc"], e["msg"], e["type"]) for e in exc.errors()]


def by_record_schema(model: type[BaseModel], record: dict[str, Any]) -> Any:
    try:
        return record_schema(model).validate(record)
    except ValidationError as exc:
        return [(e["loc"], e["msg"], e["type"]) for e in exc.errors()]


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)
@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_a_record_validates_as_the_model_dumps_it(model: type[BaseModel], data: Any) -> None:
    names = st.sampled_from(sorted(model.model_fields))
    record = data.draw(st.dictionaries(names, values, max_size=6))
    assert by_record_schema(model, record) == by_model(model, record)


def test_the_dict_keeps_the_fields_a_record_sets_and_dumps_dates_as_text() -> None:
    model = MODELS[-1]
    given = {"email": " A@b.io ", "first_name": None, "renewal": "2024-02-29", "seats": "3"}
    assert record_schema(model).validate(given) == {
        "email": "A@b.io",
        "first_name": None,
        "renewal": "2024-02-29",
        "seats": 3,
    }


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)
@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_a_field_validates_alone_as_in_a_record(model: type[BaseModel], data: Any) -> None:
    """`validate_field` (planning checks a CSV row's key with it) gives the value a record of
    that field alone gives, and refuses what it refuses."""
    name = data.draw(st.sampled_from(sorted(model.model_fields)))
    value = data.draw(values)
    schema = record_schema(model)
    try:
        expected = schema.validate({name: value})[name]
    except ValidationError:
        with pytest.raises(ValidationError):
            schema.validate_field(name, value)
    else:
        assert schema.validate_field(name, value) == expected
