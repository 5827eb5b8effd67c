"""Which indexes each server gets for the entities (`db.indexes_of`): mongod all of them;
FerretDB v1 none it would pay for on every insert without using them, namely the unique custom
fields' slot indexes (it makes a sparse index an ordinary one: they are made when a field
takes the slot) and the account's id order (it sorts after reading, never by an index)."""

import pytest

from app.domain.entities import entities
from app.domain.entities._base import UNIQUE_SLOTS, slot_path
from app.infra.mongo import db


def keys_of(traits: db.ServerTraits, monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    monkeypatch.setattr(db, "_traits", traits)
    return [
        list(index.document["key"]) for index in db.indexes_of(entities.get("CONTACT").document)
    ]


SLOTS = [["account_id", slot_path(slot)] for slot in UNIQUE_SLOTS]
IN_ID_ORDER = ["account_id", "_id"]
UNIQUE_KEY = ["account_id", "key"]


def test_mongod_gets_every_index_ahead(monkeypatch: pytest.MonkeyPatch) -> None:
    made = keys_of(db.MONGOD, monkeypatch)
    assert UNIQUE_KEY in made and IN_ID_ORDER in made
    assert all(slot in made for slot in SLOTS)


@pytest.mark.parametrize("traits", [db.FERRETDB_V1, db.FERRETDB_V1_PATCHED])
def test_ferretdb_gets_only_those_it_uses(
    traits: db.ServerTraits, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = keys_of(traits, monkeypatch)
    assert UNIQUE_KEY in made
    assert IN_ID_ORDER not in made
    assert not any(slot in made for slot in SLOTS)


@pytest.mark.parametrize("traits", [db.MONGOD, db.FERRETDB_V1])
def test_only_the_entities_slot_and_order_indexes_are_left_to_the_server(
    traits: db.ServerTraits, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every other index is made on either server, sparse ones too (two unique custom
    fields never share a slot: the definitions' sparse unique index)."""
    monkeypatch.setattr(db, "_traits", traits)
    for model in db.document_models():
        made = [index.document["key"] for index in db.indexes_of(model)]
        for index in getattr(model.Settings, "indexes", []):
            if "expireAfterSeconds" not in index.document:
                assert index.document["key"] in made, (model.__name__, index.document)
