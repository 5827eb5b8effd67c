"""What UPDATE does to each target's fields: set, unset, add to or remove from a list,
increment. One module per operation, registered in `operations`; each says which field kinds
it fits and, from what the chunk read, the change it makes or that there is none."""

from app.domain.operations._base import (
    Change,
    FieldOperation,
    changes_for,
    check_operations,
    fields_read,
    operations,
)

__all__ = [
    "Change",
    "FieldOperation",
    "changes_for",
    "check_operations",
    "fields_read",
    "operations",
]
