"""Planning reads each CSV row's dedupe key from the key's cell alone (`CsvKeys`), and the
whole row only when another row repeats its key: for any row, the key it reads is the one
the whole row gives whenever that row is valid, and a row it finds no key for is invalid."""

from typing import Any

import pytest
from bson import ObjectId
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.actions import ImportRules, actions
from app.domain.actions._inputs import CsvKeys, CsvRows
from app.domain.entities import EntitySpec, entities
from tests.unit.domain.fields.test_kinds import EXTENDED
from tests.unit.domain.test_record_schema import texts

ENTITIES = [entities.get(name) for name in entities.names()] + [EXTENDED]
# The action types that read rows from a CSV, with each way their rows can be matched.
CASES = [
    (action, entity, match_by)
    for action in ("INSERT", "UPSERT", "UPDATE", "DELETE")
    for entity in ENTITIES
    for match_by in (None, "external_id", "id")
    if (match_by != "external_id" or "external_id" in entity.field_names)
    and (match_by != "id" or action in ("UPDATE", "DELETE"))
    and (match_by is None or action != "INSERT")
]
KEYS = st.sampled_from(
    [
        "a@b.io",
        " A@B.io ",
        "a@b.io ",
        "x@y.org",
        "acme.com",
        " Acme.COM",
        "X-1",
        " x-1 ",
        "'=X-1",
        "'-2",
        str(ObjectId("0123456789abcdef01234567")),
        " 0123456789abcdef01234567",
        "0123456789ABCDEF01234567",
        "a@b",
        "x" * 300,
        "a;b",
        "zoe\u0308@b.io",
        "zoë@b.io",
        '="a@b.io"',
        '="X-1"',
    ]
)
cells = st.one_of(KEYS, texts)


def case_id(case: tuple[str, EntitySpec, str | None]) -> str:
    action, entity, match_by = case
    return f"{action}-{entity.name}-{'extended' if entity is EXTENDED else 'plain'}-{match_by}"


@pytest.mark.parametrize("case", CASES, ids=case_id)
@settings(max_examples=200, deadline=None)
@given(data=st.data(), clear_empty=st.booleans(), decimal_comma=st.booleans())
def test_the_key_read_alone_is_the_whole_rows_when_it_is_valid(
    case: tuple[str, EntitySpec, str | None], data: Any, clear_empty: bool, decimal_comma: bool
) -> None:
    action, entity, match_by = case
    spec = actions.get(action)
    rules = ImportRules(match_by=match_by, clear_empty=clear_empty, decimal_comma=decimal_comma)
    allowed, required = spec.columns(entity, rules)
    others = data.draw(st.lists(st.sampled_from(sorted(allowed)), unique=True, max_size=5))
    columns: list[str | None] = [*required, *(c for c in others if c not in required)]
    if data.draw(st.booleans()):
        columns.append(None)  # a column mapped to nothing
    values = data.draw(st.lists(cells, min_size=len(columns), max_size=len(columns)))
    misfit = data.draw(st.integers(0, 9))
    if misfit == 0:
        values = values[: data.draw(st.integers(0, len(values) - 1))]  # a row ending early
    elif misfit == 1:
        values = [*values, *data.draw(st.lists(st.sampled_from(["", " ", "x"]), min_size=1))]
    row = CsvRows(spec, entity, rules, columns)(7, values)
    key = CsvKeys(spec, entity, rules, columns)(values)
    if "invalid" not in row:
        assert key == spec.dedupe_key(row)
    if key is None:
        assert "invalid" in row
