"""A unique custom field's values are unique per account from the moment it is defined: its
slot's index is there before the definition is stored, whichever way the server makes it
(ahead on mongod, where a sparse index holds only the entities with a value; when a field
first takes the slot on FerretDB v1, where it would hold every entity and slow every insert:
tests/unit/infra/mongo/test_indexes.py)."""

from collections.abc import Mapping
from typing import Any

import pytest
from bson import ObjectId
from pymongo.errors import DuplicateKeyError

from app.domain.entities import entities
from app.domain.entities._base import slot_path
from app.domain.principal import Principal
from app.usecases.accounts import custom_fields


def slot_index(found: Mapping[str, Any], slot: int) -> dict[str, Any] | None:
    return next(
        (
            info
            for info in found.values()
            if info["key"] == [("account_id", 1), (slot_path(slot), 1)]
        ),
        None,
    )


async def test_a_unique_field_s_slot_is_indexed_once_it_is_defined(
    database: None, account: str
) -> None:
    contacts = entities.get("CONTACT").document.get_pymongo_collection()
    principal = Principal(account)
    field = await custom_fields.define(
        principal, "CONTACT", "external_id", "TEXT", None, True, None
    )
    assert field.slot is not None
    indexed = slot_index(await contacts.index_information(), field.slot)
    assert indexed is not None and indexed["unique"]

    path = slot_path(field.slot)
    await contacts.insert_many(
        [
            {"_id": ObjectId(), "account_id": account, "key": "a", path: "E1"},
            {"_id": ObjectId(), "account_id": account, "key": "b"},  # no value: no clash
            {"_id": ObjectId(), "account_id": account, "key": "c"},
            {"_id": ObjectId(), "account_id": f"{account}-other", "key": "a", path: "E1"},
        ]
    )
    with pytest.raises(DuplicateKeyError):
        await contacts.insert_one(
            {"_id": ObjectId(), "account_id": account, "key": "d", path: "E1"}
        )
    # Defining it again, or another field in another slot, finds or makes its index.
    await custom_fields.define(principal, "CONTACT", "external_id", "TEXT", None, True, None)
    other = await custom_fields.define(principal, "CONTACT", "code", "TEXT", None, True, None)
    assert other.slot is not None and other.slot != field.slot
    assert slot_index(await contacts.index_information(), other.slot) is not None
