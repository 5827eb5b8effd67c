"""An entity id a row names (`id`, or `entityIds`) is read as the lower-case hex an ObjectId
writes, and anything else is refused with the row's reason, as before it was read once."""

import pytest
from bson import ObjectId

from app.domain.actions._base import parse_entity_id
from app.domain.entities._base import InvalidRecord


def test_an_entity_id_reads_as_its_lower_case_hex() -> None:
    oid = ObjectId()
    assert parse_entity_id(str(oid)) == str(oid)
    assert parse_entity_id(str(oid).upper()) == str(oid)


@pytest.mark.parametrize(
    "given",
    [
        None,
        7,
        b"twelve bytes",  # an ObjectId's bytes, not text
        ObjectId(),  # not text either
        "",
        "0" * 23,
        "0" * 25,
        "z" * 24,
        "ab cd ef 01 23 45 67 89 ",  # hex with spaces, 24 characters
    ],
)
def test_anything_else_is_refused_with_the_row_s_reason(given: object) -> None:
    with pytest.raises(InvalidRecord, match="is not a valid entity id"):
        parse_entity_id(given)
