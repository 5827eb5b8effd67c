"""Stores what tests start from directly: entities as the platform stores them, account
limits, and actions and chunks for tests that drive processing step by step."""

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from typing import Any

import pytest
from beanie import PydanticObjectId
from bson import ObjectId
from pymongo import ReturnDocument

from app.domain.actions import actions
from app.domain.entities.contact import Contact
from app.domain.models import (
    AccountLimit,
    ActionLog,
    BulkAction,
    BulkActionStatus,
    Chunk,
    ChunkRows,
    InputBatch,
    LogBlock,
)
from app.domain.models.action_log import read_rows
from app.domain.models.ids import saved_id
from app.engine import completion, planning, processing
from app.infra.files import uploads
from app.infra.mongo.accounts import limits
from app.infra.redis import liveness, mirrors
from app.infra.settings import get_settings


def contact_documents(
    account: str,
    data: Sequence[Mapping[str, Any]],
    key: Callable[[int], str] = lambda n: f"c{n}@example.com",
    ids: Sequence[ObjectId] | None = None,
) -> list[dict[str, Any]]:
    """Contacts as the platform stores them: each with its id (`ids`, else a new one), its
    account, its unique key (the data's email, else `key(n)`) and its fields."""
    return [
        {
            "_id": ids[n] if ids is not None else ObjectId(),
            "account_id": account,
            "key": fields.get("email") or key(n),
            "data": dict(fields),
        }
        for n, fields in enumerate(data)
    ]


async def store_contacts(documents: Sequence[Mapping[str, Any]]) -> list[ObjectId]:
    """Stores contact documents (contact_documents) with one insert; returns their ids."""
    await Contact.get_pymongo_collection().insert_many([dict(doc) for doc in documents])
    return [doc["_id"] for doc in documents]


async def seed_contacts(
    account: str,
    data: Sequence[Mapping[str, Any]],
    key: Callable[[int], str] = lambda n: f"c{n}@example.com",
    ids: Sequence[ObjectId] | None = None,
) -> list[ObjectId]:
    return await store_contacts(contact_documents(account, data, key, ids))


async def limit_account(account: str, per_minute: int) -> None:
    """Gives the account its own limit, in force at once in this process."""
    await AccountLimit(id=account, per_minute=per_minute).save()
    limits.forget(account)


async def processing_action(
    account: str, entity_type: str, action_type: str, rows: list[dict[str, Any]], **extra: Any
) -> tuple[BulkAction, Chunk]:
    """An action already planned into one chunk, as planning would leave it: marked alive, so
    the suite's workers, whose sweeper wakes a running action that shows no sign of life, leave
    its chunk to the test (they took it now and then, racing the test's own processing)."""
    action_id = PydanticObjectId()
    await liveness.touch(str(action_id))
    action = BulkAction(
        id=action_id,
        account_id=account,
        entity_type=entity_type,
        action_type=action_type,
        status=BulkActionStatus.PROCESSING,
        total=len(rows),
        chunks_total=1,
        **extra,
    )
    await action.insert()
    chunk = Chunk(
        id=Chunk.id_for(saved_id(action), 0),
        action_id=saved_id(action),
        account_id=account,
        seq=0,
        size=len(rows),
        first_row=rows[0]["row"] if rows else None,
        last_row=rows[-1]["row"] if rows else None,
    )
    await ChunkRows(id=chunk.id, rows=rows).insert()
    await chunk.insert()
    await mirrors.planned(str(action_id), 1)
    return action, chunk


async def stored_action(account: str, status: BulkActionStatus) -> BulkAction:
    """An INSERT action stored with this status, marked alive (the suite's sweeper leaves
    it alone)."""
    action = BulkAction(
        id=PydanticObjectId(),
        account_id=account,
        entity_type="CONTACT",
        action_type="INSERT",
        status=status,
    )
    await action.insert()
    await liveness.touch(str(action.id))
    return action


async def queued_action(account: str, records: int = 2) -> BulkAction:
    """A QUEUED INSERT of two records (or `records`), stored as a create leaves it: one chunk
    to plan. Marked alive, so the suite's sweeper leaves its planning to the test (it woke the
    action as stalled and its planner took the lease first, once on a loaded machine)."""
    action = BulkAction(account_id=account, entity_type="CONTACT", action_type="INSERT", fields={})
    await action.insert()
    await liveness.touch(str(action.id))
    rows = [
        {"row": n, "key": f"p{n}@example.com", "data": {"email": f"p{n}@example.com"}}
        for n in range(1, records + 1)
    ]
    await InputBatch(action_id=saved_id(action), seq=0, rows=rows).insert()
    return action


async def chain_successor(
    chunk: Chunk, seq: int | None = None, rows: list[dict[str, Any]] | None = None
) -> Chunk:
    """The next chunk of `chunk`'s chain (or of another chain: `seq`), planned (one row, or
    `rows` stored with it) and not done; the action's chunk count counts it."""
    seq = chunk.seq + get_settings().chunks_in_flight if seq is None else seq
    planned = await BulkAction.get_pymongo_collection().find_one_and_update(
        {"_id": chunk.action_id},
        {"$max": {"chunks_total": seq + 1}},
        return_document=ReturnDocument.AFTER,
    )
    assert planned is not None
    await mirrors.planned(str(chunk.action_id), planned["chunks_total"])
    following = Chunk(
        id=Chunk.id_for(chunk.action_id, seq),
        action_id=chunk.action_id,
        account_id=chunk.account_id,
        seq=seq,
        size=len(rows) if rows else 1,
    )
    if rows:
        await ChunkRows(id=following.id, rows=rows).insert()
    await following.insert()
    return following


def insert_rows(emails: list[str]) -> list[dict[str, Any]]:
    return [
        {"row": n, "key": email, "data": {"email": email}, "new_id": str(ObjectId())}
        for n, email in enumerate(emails, start=1)
    ]


async def logs_of(action: BulkAction) -> list[ActionLog]:
    """Every log of an action, in row order."""
    cursor = LogBlock.get_pymongo_collection().find({"action_id": action.id})
    return list(read_rows(await cursor.to_list()))


class Died(Exception):
    """Stands for a worker that died after its writes, before recording them."""


async def die_before_recording(monkeypatch: pytest.MonkeyPatch, chunk_id: str) -> None:
    """Processes the chunk up to its writes, then dies: the next delivery redoes it."""
    await die_at(monkeypatch, chunk_id, processing, "record")


async def die_at(monkeypatch: pytest.MonkeyPatch, chunk_id: str, module: object, name: str) -> None:
    """Processes the chunk until it calls `module.name`, and dies there."""

    async def dying(*_: object) -> None:
        raise Died

    with monkeypatch.context() as patch:
        patch.setattr(module, name, dying)
        with pytest.raises(Died):
            await processing.process_chunk(chunk_id)


def record_sends(monkeypatch: pytest.MonkeyPatch, owner: object, name: str) -> list[str]:
    """Replaces the async sender `owner.name(id)` with one that only records the ids sent,
    in order, and returns that record."""
    sent: list[str] = []

    async def record(item_id: str) -> None:
        sent.append(item_id)

    monkeypatch.setattr(owner, name, record)
    return sent


async def pieces(data: bytes, size: int = 1000) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


async def upload_insert_action(
    account: str, monkeypatch: pytest.MonkeyPatch, data: bytes, columns: list[str]
) -> BulkAction:
    """A PROCESSING INSERT of this CSV upload, for a test to plan into chunks of 100 rows
    (app.engine.planning.write_chunks) and process; none of its chunks is sent."""
    stored = await uploads.store(account, "contacts.csv", pieces(data))
    action = BulkAction(
        account_id=account,
        entity_type="CONTACT",
        action_type="INSERT",
        status=BulkActionStatus.PROCESSING,
        upload_id=stored.id,
        columns=columns,
    )
    await action.insert()
    await liveness.touch(str(action.id))  # the suite's sweeper leaves it to the test
    record_sends(monkeypatch, completion, "send_chunk")
    monkeypatch.setattr(planning, "chunk_size_for", lambda limit: 100)
    return action


def after_the_read(
    monkeypatch: pytest.MonkeyPatch, action_type: str, other_writer: Callable[[], Awaitable[object]]
) -> None:
    """Another writer's work, done between each of the action type's decide reads and the
    chunk's writes (on every delivery)."""
    spec = actions.get(action_type)
    decide = spec.decide

    async def read_then_another_writer(ctx: Any, chunk_rows: Any) -> Any:
        decided = await decide(ctx, chunk_rows)
        await other_writer()
        return decided

    monkeypatch.setattr(spec, "decide", read_then_another_writer)
