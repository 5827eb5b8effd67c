"""A unique custom field's values are unique per account from the moment it is defined: its
slot's index is there before the definition is stored, whichever way the server makes it
(ahead on mongod, where a sparse index holds only the entities with a value; when a field
first takes the slot on FerretDB v1, where it would hold every entity and slow every insert).
Run with each path forced (`ServerTraits.sparse_indexes_hold_every_document`)."""

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import pytest
from bson import ObjectId
from pymongo.errors import DuplicateKeyError

from app.domain.entities import entities
from app.domain.entities._base import UNIQUE_SLOTS, slot_path
from app.domain.principal import Principal
from app.infra.mongo import db
from app.usecases.accounts import custom_fields


@pytest.fixture(params=["mongod", "ferretdb"])
async def traits(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> db.ServerTraits:
    """The indexes made as the server the trait names would have them, on a database of
    their own."""
    # mongod's path for sparse indexes, on a server without TTL indexes (this one), and
    # without the entities' filter indexes, which are not the point here.
    mongod = replace(db.MONGOD, no_ttl_indexes=True, no_nested_indexes=True)
    chosen = mongod if request.param == "mongod" else db.FERRETDB_V1
    monkeypatch.setattr(db, "_traits", chosen)
    for spec in entities:
        await spec.document.get_pymongo_collection().drop()
    await db.create_indexes()
    return chosen


def slot_indexes(found: Mapping[str, Any]) -> dict[int, dict[str, Any]]:
    return {
        slot: info
        for slot in UNIQUE_SLOTS
        for info in found.values()
        if [field for field, _ in info["key"]] == ["account_id", slot_path(slot)]
    }


async def test_a_unique_field_s_slot_is_indexed_before_it_is_defined(
    database: None, account: str, traits: db.ServerTraits
) -> None:
    contacts = entities.get("CONTACT").document.get_pymongo_collection()
    made_ahead = slot_indexes(await contacts.index_information())
    if traits.sparse_indexes_hold_every_document:
        assert made_ahead == {}  # no insert pays for them until a field needs one
    else:
        assert sorted(made_ahead) == list(UNIQUE_SLOTS)

    principal = Principal(account)
    field = await custom_fields.define(
        principal, "CONTACT", "external_id", "TEXT", None, True, None
    )
    assert field.slot is not None
    indexed = slot_indexes(await contacts.index_information())
    assert indexed[field.slot]["unique"]

    path = slot_path(field.slot)
    await contacts.insert_many(
        [
            {"_id": ObjectId(), "account_id": account, "key": "a", path: "E1"},
            {"_id": ObjectId(), "account_id": account, "key": "b"},  # no value: no clash
            {"_id": ObjectId(), "account_id": account, "key": "c"},
            {"_id": ObjectId(), "account_id": "another", "key": "a", path: "E1"},
        ]
    )
    with pytest.raises(DuplicateKeyError):
        await contacts.insert_one(
            {"_id": ObjectId(), "account_id": account, "key": "d", path: "E1"}
        )
    # Defining it again, or another field in another slot, finds its index as it is.
    await custom_fields.define(principal, "CONTACT", "external_id", "TEXT", None, True, None)
    other = await custom_fields.define(principal, "CONTACT", "code", "TEXT", None, True, None)
    assert other.slot != field.slot
    assert slot_indexes(await contacts.index_information())[other.slot or 0]["unique"]
