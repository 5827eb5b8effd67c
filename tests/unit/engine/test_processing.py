"""Processing's own decisions, on in-memory stubs of the stores (no service adds anything
here): a chunk that must wait comes back later, the first stored decisions win (an INSERT
stores none), and a chunk whose retries are spent is told what its earlier attempts wrote."""

from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any, cast

import pytest
from beanie import PydanticObjectId
from bson import ObjectId
from pymongo.errors import DuplicateKeyError

from app.domain.models import BulkAction, Chunk, LogReason, LogStatus
from app.domain.rows import Decisions, Row
from app.engine import pacing, processing
from app.engine.deferral import ComeBackLater
from app.infra.mongo import chunks
from app.infra.mongo import entities as stored_entities
from app.infra.mongo.claims import deletions

STAMP = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


class StoredDecisions:
    """The chunks store's decisions, in memory: the first stored under an id stays."""

    def __init__(self) -> None:
        self.by_id: dict[str, Decisions] = {}

    async def store(self, rows_id: str, decisions: Decisions) -> None:
        if rows_id in self.by_id:
            raise DuplicateKeyError("stored already")
        self.by_id[rows_id] = decisions

    async def get(self, rows_id: str) -> Decisions | None:
        return self.by_id.get(rows_id)


@pytest.fixture
def decisions(monkeypatch: pytest.MonkeyPatch) -> StoredDecisions:
    stored = StoredDecisions()
    monkeypatch.setattr(chunks, "store_decisions", stored.store)
    monkeypatch.setattr(chunks, "decisions_of", stored.get)
    return stored


def stamps(found: dict[str, Any]) -> Any:
    async def stamps_of(entity: Any, account_id: str, ids: list[str]) -> dict[str, Any]:
        return {entity_id: found[entity_id] for entity_id in ids if entity_id in found}

    return stamps_of


def action_of(action_type: str) -> BulkAction:
    """What processing reads of an action (a stand-in: no database to bind a document to)."""
    fields = {"account_id": "acme", "entity_type": "CONTACT", "action_type": action_type}
    return cast(BulkAction, SimpleNamespace(id=PydanticObjectId(), dry_run=False, **fields))


def chunk_of(action: BulkAction) -> Chunk:
    assert action.id is not None
    return cast(Chunk, SimpleNamespace(id=Chunk.id_for(action.id, 0), action_id=action.id))


async def test_a_chunk_that_must_wait_comes_back_when_it_fits(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def admit(chunk_id: str) -> pacing.Admission:
        return pacing.Admission(pacing.Verdict.WAIT, wait_ms=1500)

    monkeypatch.setattr(processing, "admit", admit)
    with pytest.raises(ComeBackLater) as later:
        await processing.process_chunk("a:0")
    assert later.value.wait_ms == 1500


async def test_the_first_stored_decisions_win(decisions: StoredDecisions) -> None:
    async def first() -> Decisions:
        return {"existing": ["a"]}

    async def second() -> Decisions:
        return {"existing": ["b"]}

    kept = await processing.decide_once("c:0", first)
    again = await processing.decide_once("c:0", second)
    assert kept["existing"] == again["existing"] == ["a"]
    assert again["stamp"] == kept["stamp"]


async def test_decisions_an_action_type_does_not_keep_are_not_stored(
    decisions: StoredDecisions,
) -> None:
    async def nothing() -> Decisions:
        return {}

    made = await processing.decide_once("c:0", nothing, keep=False)
    assert "stamp" in made
    assert decisions.by_id == {}


@pytest.mark.parametrize(
    ("action_type", "rows", "decided", "found", "written"),
    [
        pytest.param(
            "INSERT",
            [{"row": 1, "key": "a", "new_id": "i1"}, {"row": 2, "key": "b", "new_id": "i2"}],
            {},
            {"i1": datetime(2026, 1, 1, tzinfo=UTC)},
            {1: LogReason.INSERTED},
            id="insert: what is under its planned ids, whatever its stamp",
        ),
        pytest.param(
            "UPSERT",
            [{"row": 1, "key": "a", "new_id": "i1"}, {"row": 2, "key": "b", "new_id": "i2"}],
            {"holders": [{"key": "a", "id": "e1"}]},
            {"e1": STAMP, "i2": STAMP},
            {1: LogReason.UPDATED, 2: LogReason.INSERTED},
            id="upsert: the existing entity it updated",
        ),
        pytest.param(
            "UPDATE",
            [{"row": 1, "id": "e1"}, {"row": 2, "id": "e2"}],
            {},
            {"e1": STAMP, "e2": datetime(2026, 1, 1, tzinfo=UTC)},
            {1: LogReason.UPDATED},
            id="update: another writer's stamp is not this chunk's",
        ),
        pytest.param(
            "DELETE",
            [{"row": 1, "id": "e1"}, {"row": 2, "id": "e2"}, {"row": 3, "id": "e3"}],
            {"existing": ["e1", "e2", "e3"], "claimed": ["e1", "e2"]},
            {"e2": None},
            {1: LogReason.DELETED},
            id="delete: claimed and gone since it was decided (e3: another action's claim)",
        ),
    ],
)
async def test_a_chunk_that_gives_up_is_told_what_was_written(
    decisions: StoredDecisions,
    monkeypatch: pytest.MonkeyPatch,
    action_type: str,
    rows: list[dict[str, Any]],
    decided: Decisions,
    found: dict[str, Any],
    written: dict[int, LogReason],
) -> None:
    action = action_of(action_type)
    chunk = chunk_of(action)
    ids = {name: str(ObjectId()) for name in ("i1", "i2", "e1", "e2", "e3")}
    real = [
        cast(Row, {k: ids.get(v, v) if k in ("id", "new_id") else v for k, v in r.items()})
        for r in rows
    ]
    stored: Decisions = {"stamp": STAMP}
    if "existing" in decided:
        stored["existing"] = [ids[i] for i in decided["existing"]]
    if "holders" in decided:
        stored["holders"] = [{"key": h["key"], "id": ids[h["id"]]} for h in decided["holders"]]
    decisions.by_id[chunk.id] = stored
    monkeypatch.setattr(stored_entities, "stamps_of", stamps({ids[k]: v for k, v in found.items()}))
    claimed = {ids[i] for i in cast(list[str], decided.get("claimed", []))}

    async def claimed_by(chunk_id: str, entity_ids: Any) -> set[str]:
        return claimed & set(entity_ids)

    monkeypatch.setattr(deletions, "claimed_by", claimed_by)
    let_go: list[str] = []

    async def let_go_of(entity_ids: Any) -> None:
        let_go.extend(entity_ids)

    monkeypatch.setattr(deletions, "let_go", let_go_of)

    outcomes = await processing.written_outcomes(chunk, action, real)

    assert {row: outcome.reason for row, outcome in outcomes.items()} == written
    # A DELETE's claim on a target still there (e2: never deleted) is let go.
    assert let_go == ([ids["e2"]] if action_type == "DELETE" else [])
    assert all(outcome.status is LogStatus.SUCCESS for outcome in outcomes.values())
