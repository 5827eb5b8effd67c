"""FerretDB's update batches: never more than a few update statements per command."""

from bson import ObjectId
from pymongo.operations import DeleteOne, InsertOne, UpdateOne

from app.domain.actions import WriteOp
from app.infra.mongo.db import FERRETDB_V1
from app.infra.mongo.entities import update_batches

PER_COMMAND = FERRETDB_V1.updates_per_command or 0


def test_updates_are_cut_into_small_commands_and_indexes_kept() -> None:
    ops: list[WriteOp] = []
    for n in range(50):
        ops.append(UpdateOne({"_id": ObjectId()}, {"$set": {"n": n}}))
        if n % 7 == 0:
            ops.append(InsertOne({"n": n}))
    ops.append(DeleteOne({"_id": ObjectId()}))
    batches = update_batches(ops, PER_COMMAND)
    assert [op for _, batch in batches for op in batch] == ops
    for start, batch in batches:
        assert ops[start : start + len(batch)] == list(batch)
        assert sum(isinstance(op, UpdateOne) for op in batch) <= PER_COMMAND


def test_inserts_alone_stay_one_command() -> None:
    ops: list[WriteOp] = [InsertOne({"n": n}) for n in range(1000)]
    assert update_batches(ops, PER_COMMAND) == [(0, ops)]
    assert update_batches([], PER_COMMAND) == []
