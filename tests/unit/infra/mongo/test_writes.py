"""What a chunk's writes are sent as: targets given one same update go as one update_many,
and those deleted on the same conditions as one delete_many; FerretDB's update batches never
hold more than a few update statements per command."""

from datetime import UTC, datetime

import pytest
from bson import ObjectId
from bson.codec_options import DEFAULT_CODEC_OPTIONS
from pymongo.operations import DeleteMany, DeleteOne, InsertOne, UpdateMany, UpdateOne

from app.domain.actions import DeleteById, UpdateById, WriteOp
from app.infra.mongo import db
from app.infra.mongo.db import FERRETDB_V1, MONGOD
from app.infra.mongo.entities import Sent, coalesced, update_batches

PER_COMMAND = FERRETDB_V1.updates_per_command or 0


def test_updates_are_cut_into_small_commands_and_indexes_kept() -> None:
    ops: list[Sent] = []
    for n in range(50):
        ops.append(UpdateOne({"_id": ObjectId()}, {"$set": {"n": n}}))
        if n % 7 == 0:
            ops.append(InsertOne({"n": n}))
        if n % 9 == 0:
            ops.append(UpdateMany({"_id": {"$in": [ObjectId()]}}, {"$set": {"n": n}}))
    ops.append(DeleteOne({"_id": ObjectId()}))
    batches = update_batches(ops, PER_COMMAND)
    assert [op for _, batch in batches for op in batch] == ops
    for start, batch in batches:
        assert ops[start : start + len(batch)] == list(batch)
        assert sum(isinstance(op, UpdateOne | UpdateMany) for op in batch) <= PER_COMMAND


def test_inserts_alone_stay_one_command() -> None:
    ops: list[Sent] = [InsertOne({"n": n}) for n in range(1000)]
    assert update_batches(ops, PER_COMMAND) == [(0, ops)]
    assert update_batches([], PER_COMMAND) == []


def test_targets_given_one_same_update_are_sent_as_one_update_many(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(db, "_traits", MONGOD)
    stamp = datetime(2026, 1, 1, tzinfo=UTC)
    same = {"$set": {"data.company": "Acme", "updated_at": stamp}}
    ids = [ObjectId() for _ in range(5)]
    insert = InsertOne({"n": 1})
    ops: list[WriteOp] = [
        UpdateById(ids[0], same),
        insert,
        UpdateById(ids[1], {"$set": {"data.company": "Other", "updated_at": stamp}}),
        UpdateById(ids[2], dict(same)),
        UpdateById(ids[3], {"$set": {"data.score": 1}}),
        UpdateById(ids[4], {"$set": {"data.score": 1.0}}),  # equal in Python, not in BSON
    ]
    sent = coalesced(ops, DEFAULT_CODEC_OPTIONS)
    assert sent[0].op == insert and sent[0].at == 1
    group = sent[1]
    assert group.op == UpdateMany({"_id": {"$in": [ids[0], ids[2]]}}, same)
    assert [index for index, _ in group.targets] == [0, 3]
    assert [(item.op, item.at, item.targets) for item in sent[2:]] == [
        (UpdateOne({"_id": ids[1]}, ops[2].update), 2, ()),  # type: ignore[union-attr]
        (UpdateOne({"_id": ids[3]}, {"$set": {"data.score": 1}}), 4, ()),
        (UpdateOne({"_id": ids[4]}, {"$set": {"data.score": 1.0}}), 5, ()),
    ]


def test_where_id_lists_are_read_whole_each_target_is_sent_alone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(db, "_traits", FERRETDB_V1)
    same = {"$set": {"data.company": "Acme"}}
    ids = [ObjectId() for _ in range(3)]
    sent = coalesced([UpdateById(i, same) for i in ids], DEFAULT_CODEC_OPTIONS)
    assert [(item.op, item.at) for item in sent] == [
        (UpdateOne({"_id": i}, same), n) for n, i in enumerate(ids)
    ]


def test_conditions_of_an_update_go_with_it_and_part_its_group(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(db, "_traits", MONGOD)
    added = {"$inc": {"data.score": 1}}
    once, other = {"incremented_by": {"$ne": "a:0"}}, {"incremented_by": {"$ne": "b:0"}}
    ids = [ObjectId() for _ in range(4)]
    ops: list[WriteOp] = [
        UpdateById(ids[0], added, once),
        UpdateById(ids[1], added, once),
        UpdateById(ids[2], added, other),
        UpdateById(ids[3], added),
    ]
    sent = coalesced(ops, DEFAULT_CODEC_OPTIONS)
    assert [(item.op, item.at) for item in sent] == [
        (UpdateMany({"_id": {"$in": ids[:2]}, **once}, added), -1),
        (UpdateOne({"_id": ids[2], **other}, added), 2),
        (UpdateOne({"_id": ids[3]}, added), 3),
    ]


def test_targets_deleted_on_the_same_conditions_are_sent_as_one_delete_many(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A DELETE's targets are one statement (1,000 `DeleteOne`s cost FerretDB twelve times the
    database CPU of one `delete_many` of their ids); a restore's deletes of what one chunk
    inserted share its stamp, and deletes of other stamps go apart."""
    monkeypatch.setattr(db, "_traits", MONGOD)
    ids = [ObjectId() for _ in range(5)]
    first, second = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 1, 2, tzinfo=UTC)
    ops: list[WriteOp] = [
        DeleteById(ids[0]),
        DeleteById(ids[1], {"updated_at": first}),
        DeleteById(ids[2]),
        DeleteById(ids[3], {"updated_at": first}),
        DeleteById(ids[4], {"updated_at": second}),
    ]
    sent = coalesced(ops, DEFAULT_CODEC_OPTIONS)
    assert [(item.op, [index for index, _ in item.targets]) for item in sent] == [
        (DeleteMany({"_id": {"$in": [ids[0], ids[2]]}}), [0, 2]),
        (DeleteMany({"_id": {"$in": [ids[1], ids[3]]}, "updated_at": first}), [1, 3]),
        (DeleteOne({"_id": ids[4], "updated_at": second}), []),
    ]
    assert sent[2].at == 4

    monkeypatch.setattr(db, "_traits", FERRETDB_V1)  # as released: id lists read whole
    alone = coalesced(ops[:3], DEFAULT_CODEC_OPTIONS)
    assert [(item.op, item.at) for item in alone] == [
        (DeleteOne({"_id": ids[0]}), 0),
        (DeleteOne({"_id": ids[1], "updated_at": first}), 1),
        (DeleteOne({"_id": ids[2]}), 2),
    ]
