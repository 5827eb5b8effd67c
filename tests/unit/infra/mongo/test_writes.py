"""FerretDB's update batches: never more than a few update statements per command."""

from bson import ObjectId
from pymongo.operations import DeleteOne, InsertOne, UpdateOne

from app.domain.actions import WriteOp
from app.infra.mongo.writes import FERRETDB_UPDATES_PER_COMMAND, ferretdb_batches


def test_updates_are_cut_into_small_commands_and_indexes_kept() -> None:
    ops: list[WriteOp] = []
    for n in range(50):
        ops.append(UpdateOne({"_id": ObjectId()}, {"$set": {"n": n}}))
        if n % 7 == 0:
            ops.append(InsertOne({"n": n}))
    ops.append(DeleteOne({"_id": ObjectId()}))
    batches = ferretdb_batches(ops)
    assert [op for _, batch in batches for op in batch] == ops
    for start, batch in batches:
        assert ops[start : start + len(batch)] == list(batch)
        assert sum(isinstance(op, UpdateOne) for op in batch) <= FERRETDB_UPDATES_PER_COMMAND


def test_inserts_alone_stay_one_command() -> None:
    ops: list[WriteOp] = [InsertOne({"n": n}) for n in range(1000)]
    assert ferretdb_batches(ops) == [(0, ops)]
    assert ferretdb_batches([]) == []
