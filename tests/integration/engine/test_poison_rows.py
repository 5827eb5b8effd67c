"""One bad row fails alone, and a chunk that gives up logs the truth (app.infra.mongo.entities,
app.engine.processing): a row whose write the database refuses as a whole command is isolated
by splitting the write, and the chunk's other rows are written and logged SUCCESS; a chunk
whose retries ran out logs SUCCESS for the rows the database holds from its attempts. Counts
always equal what the database holds.

The poison here is a unique key too long for the database's index: FerretDB (PostgreSQL's
btree) refuses the whole insert command after writing the documents before it. Validation now
bounds keys (254 characters), so such a row reaches the database only as stored input from
before the bound; mongod (4.2 and later) has no index key limit and stores it, which the test
allows: whatever the database refuses fails alone, and nothing else does."""

import secrets
from dataclasses import replace
from datetime import datetime
from typing import Any

import pytest

from app.domain.actions.update import Update
from app.domain.entities.contact import Contact
from app.domain.models import BulkAction, LogReason, LogStatus
from app.domain.rows import Row
from app.engine import processing
from app.infra.mongo import db, entities
from tests.integration.factories import (
    die_before_recording,
    insert_rows,
    logs_of,
    processing_action,
    seed_contacts,
)

# Random, so PostgreSQL cannot compress it under its index row limit (2,704 bytes).
POISON = secrets.token_hex(4000) + "@example.com"


async def run_with_poison(account: str, size: int, poison_row: int) -> None:
    emails = [f"good{n}@example.com" for n in range(size)]
    emails[poison_row - 1] = POISON
    action, chunk = await processing_action(account, "CONTACT", "INSERT", insert_rows(emails))
    await processing.process_chunk(str(chunk.id))

    done = await BulkAction.get(action.id)
    assert done is not None
    logs = await logs_of(action)
    assert [log.row for log in logs] == list(range(1, size + 1))  # one outcome a row
    failed = [log for log in logs if log.status is LogStatus.FAILED]
    if db.is_ferretdb():
        assert [log.row for log in failed] == [poison_row]
    assert [log.row for log in failed] in ([], [poison_row])
    for log in failed:
        assert log.reason is LogReason.WRITE_ERROR
        assert log.message == "The database refused to store this row."  # no internals
    stored = await Contact.find(Contact.account_id == account).count()
    assert (done.succeeded, done.failed, done.skipped) == (stored, len(failed), 0)
    assert stored == size - len(failed)


async def test_the_7th_row_of_30_fails_alone(database: None, account: str) -> None:
    await run_with_poison(account, 30, 7)


async def test_the_700th_row_of_a_1000_row_chunk_fails_alone(database: None, account: str) -> None:
    await run_with_poison(account, 1000, 700)


async def test_a_chunk_whose_every_row_is_refused_is_retried_not_failed(
    database: None, account: str
) -> None:
    """No row is at fault when the database refuses them all (it may be failing): the chunk
    raises, to be retried, and logs nothing yet."""
    if not db.is_ferretdb():
        pytest.skip("mongod stores these keys: there is nothing it refuses here")
    rows = insert_rows([secrets.token_hex(4000) + f"{n}@example.com" for n in range(2)])
    action, chunk = await processing_action(account, "CONTACT", "INSERT", rows)
    with pytest.raises(entities.EveryRowRefused):
        await processing.process_chunk(str(chunk.id))
    assert await logs_of(action) == []


async def test_a_chunk_that_gives_up_logs_its_written_rows_success(
    database: None, account: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Retries spent after a partial write: the rows the database holds are SUCCESS, the
    others FAILED, and the counts are what the database holds."""
    emails = [f"partial{n}@example.com" for n in range(10)]
    action, chunk = await processing_action(account, "CONTACT", "INSERT", insert_rows(emails))
    await die_before_recording(monkeypatch, str(chunk.id))  # its writes made, nothing logged
    # Only some of the writes took: the last four are not there.
    await Contact.get_pymongo_collection().delete_many(
        {"account_id": account, "key": {"$in": emails[6:]}}
    )
    await processing.fail_chunk(str(chunk.id), "retries spent")

    logs = await logs_of(action)
    assert [(log.row, str(log.status), str(log.reason)) for log in logs] == [
        *[(n, "SUCCESS", "INSERTED") for n in range(1, 7)],
        *[(n, "FAILED", "PROCESSING_ERROR") for n in range(7, 11)],
    ]
    done = await BulkAction.get(action.id)
    assert done is not None
    stored = await Contact.find(Contact.account_id == account).count()
    assert (done.succeeded, done.failed, stored) == (6, 4, 6)


async def test_an_update_that_gives_up_logs_the_rows_it_stamped(
    database: None, account: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = await seed_contacts(account, [{}] * 4, key=lambda n: f"u{n}@example.com")
    rows = [{"row": n + 1, "id": str(i)} for n, i in enumerate(ids)]
    action, chunk = await processing_action(
        account, "CONTACT", "UPDATE", rows, fields={"first_name": "Stamped"}
    )
    await die_before_recording(monkeypatch, str(chunk.id))
    # Someone else wrote the last one since: it is not this chunk's write any more.
    await Contact.get_pymongo_collection().update_one(
        {"_id": ids[3]}, {"$set": {"updated_at": datetime(2001, 1, 1)}}
    )
    await processing.fail_chunk(str(chunk.id), "retries spent")
    logs = await logs_of(action)
    assert [(log.row, str(log.reason)) for log in logs] == [
        (1, "UPDATED"),
        (2, "UPDATED"),
        (3, "UPDATED"),
        (4, "PROCESSING_ERROR"),
    ]


@pytest.mark.parametrize("grouped", [True, False], ids=["update_many", "one_by_one"])
async def test_targets_given_one_update_fail_alone_where_the_database_refuses(
    database: None, account: str, grouped: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An UPDATE by ids giving five contacts one email: the five updates are one update_many
    (as on mongod and the scripts' FerretDB; forced either way here), which the unique key
    refuses after the first target it writes. Written again one by one, the target that
    holds the email is logged UPDATED and the four others FAILED; none that was written is
    logged FAILED."""
    traits = replace(db.traits(), reads_all_for_id_lists=not grouped)
    monkeypatch.setattr(db, "_traits", traits)
    assert entities.writes_by_id_lists() is grouped
    ids = await seed_contacts(account, [{}] * 5, key=lambda n: f"g{n}@example.com")
    rows = [{"row": n + 1, "id": str(i)} for n, i in enumerate(ids)]
    action, chunk = await processing_action(
        account, "CONTACT", "UPDATE", rows, fields={"email": "same@example.com"}
    )
    await processing.process_chunk(str(chunk.id))

    logs = await logs_of(action)
    assert [log.row for log in logs] == [1, 2, 3, 4, 5]
    holders = await Contact.find(
        Contact.account_id == account, {"data.email": "same@example.com"}
    ).to_list()
    assert len(holders) == 1
    updated = [log for log in logs if log.status is LogStatus.SUCCESS]
    assert [log.entity_id for log in updated] == [str(holders[0].id)]
    failed = [log for log in logs if log.status is LogStatus.FAILED]
    assert len(failed) == 4
    assert {log.message for log in failed} == {
        "Another entity of the account holds this unique key."
    }
    done = await BulkAction.get(action.id)
    assert done is not None
    assert (done.succeeded, done.failed) == (1, 4)


@pytest.mark.parametrize("grouped", [True, False], ids=["update_many", "one_by_one"])
async def test_an_increment_written_again_after_a_refusal_adds_once(
    database: None, account: str, grouped: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As above, with an increment besides: FerretDB refuses the command after writing the
    first target, and the targets are written again one by one; the one written before
    adds nothing the second time (its update is made once per chunk)."""
    traits = replace(db.traits(), reads_all_for_id_lists=not grouped)
    monkeypatch.setattr(db, "_traits", traits)
    ids = await seed_contacts(account, [{"score": 1}] * 5, key=lambda n: f"h{n}@example.com")
    rows = [{"row": n + 1, "id": str(i)} for n, i in enumerate(ids)]
    action, chunk = await processing_action(
        account,
        "CONTACT",
        "UPDATE",
        rows,
        fields={"email": "same@example.com"},
        operations={"increment": {"score": 10}},
    )
    await processing.process_chunk(str(chunk.id))

    found = Contact.get_pymongo_collection().find({"account_id": account})
    scores = {doc["key"]: doc["data"]["score"] async for doc in found}
    assert sorted(scores.values()) == [1, 1, 1, 1, 11]
    assert scores["same@example.com"] == 11
    done = await BulkAction.get(action.id)
    assert done is not None
    assert (done.succeeded, done.failed) == (1, 4)


@pytest.mark.parametrize(("size", "bad"), [(30, 20), (1, 1)], ids=["row_20_of_30", "alone"])
async def test_a_value_the_driver_cannot_encode_fails_only_its_row(
    database: None, account: str, size: int, bad: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A change past the bounds validation knows (here an integer beyond 64 bits, put in the
    row's update as a field operation without a bound would) makes a value PyMongo cannot
    encode: it raises before sending the command that holds it, after sending those before it
    (FerretDB's updates go 8 a command). That row fails alone, as a write the database
    refuses; the others are written and logged UPDATED (once, the chunk failed after every
    retry, and the rows after that command were never written). The row is at fault whatever
    the server's state, so a chunk of such rows alone logs them at once: it is not retried."""
    ids = await seed_contacts(account, [{}] * size, key=lambda n: f"i{n}@x.io")
    rows = [{"row": n + 1, "id": str(i)} for n, i in enumerate(ids)]
    action, chunk = await processing_action(account, "CONTACT", "UPDATE", rows, fields={"score": 0})

    def changes(self: Any, ctx: Any, row: Row, decisions: Any) -> dict[str, Any]:
        return {"$set": {"score": 2**64 if row["row"] == bad else row["row"] * 10}}

    monkeypatch.setattr(Update, "changes", changes)
    await processing.process_chunk(str(chunk.id))

    logs = await logs_of(action)
    assert [log.row for log in logs] == list(range(1, size + 1))  # one outcome a row
    assert [(log.row, log.reason) for log in logs if log.status is LogStatus.FAILED] == [
        (bad, LogReason.WRITE_ERROR)
    ]
    assert all(log.reason is LogReason.UPDATED for log in logs if log.row != bad)
    assert "beyond what the database stores" in str(logs[bad - 1].message)
    found = Contact.get_pymongo_collection().find({"account_id": account}, {"data.score": 1})
    stored = {str(doc["_id"]): doc["data"].get("score") async for doc in found}
    assert stored == {str(i): None if n == bad else n * 10 for n, i in enumerate(ids, start=1)}
    done = await BulkAction.get(action.id)
    assert done is not None
    assert (done.succeeded, done.failed) == (size - 1, 1)
