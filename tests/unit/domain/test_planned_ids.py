"""A row's planned entity id: the same whenever the row is read (planning, or its chunk reading
it again from the upload), different for every row and every action, and a valid ObjectId
that starts with its action's creation time."""

import pytest
from bson import ObjectId

from app.domain.models.ids import MAX_PLANNED_ROWS, planned_id


def test_a_row_gets_the_same_id_each_time_and_no_other_row_gets_it() -> None:
    action, other = ObjectId(), ObjectId()
    ids = [planned_id(action, row) for row in range(1, 5001)]
    assert ids == [planned_id(action, row) for row in range(1, 5001)]
    assert len(set(ids)) == 5000
    assert not set(ids) & {planned_id(other, row) for row in range(1, 5001)}
    assert all(str(ObjectId(entity_id)) == entity_id for entity_id in ids)
    assert ObjectId(ids[0]).generation_time == action.generation_time


@pytest.mark.parametrize("row", [0, -1, MAX_PLANNED_ROWS])
def test_a_row_beyond_three_bytes_has_no_planned_id(row: int) -> None:
    with pytest.raises(ValueError, match="no planned id"):
        planned_id(ObjectId(), row)
