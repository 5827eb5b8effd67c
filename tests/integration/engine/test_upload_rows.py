"""A chunk of a CSV upload keeps no copy of its rows (app.infra.files.chunk_rows): it names the
byte range of the upload that holds them, and every delivery reads them from there. A delivery
that dies after its writes is redone by the next, which reads the same rows (the planned
entity ids, the repeats, the invalid rows) and logs each row once, as the database shows it."""

from collections import Counter

import pytest

from app.domain.entities.contact import Contact
from app.domain.models import BulkAction, BulkActionStatus, Chunk, ChunkRows
from app.domain.models.ids import planned_id, saved_id
from app.engine import planning, processing
from tests.integration.factories import die_before_recording, logs_of, upload_insert_action

ROWS = 250
REPEAT_ROW, INVALID_ROW = 130, 140


def upload_csv() -> bytes:
    """Contacts with quoted commas, quotes and line breaks; row 130 repeats row 3's email and
    row 140's email is not one."""
    lines = [b"email,first_name,company\r\n"]
    for n in range(1, ROWS + 1):
        email = f"r{n}@example.com"
        if n == REPEAT_ROW:
            email = "r3@example.com"
        if n == INVALID_ROW:
            email = "not-an-email"
        lines.append(f'{email},"Ada ""{n}""\nsecond line","Co, {n % 7}"\r\n'.encode())
    return b"".join(lines)


async def planned_upload_action(account: str, monkeypatch: pytest.MonkeyPatch) -> BulkAction:
    """An INSERT of the upload planned into chunks of 100 rows, none of them sent."""
    columns = ["email", "first_name", "company"]
    action = await upload_insert_action(account, monkeypatch, upload_csv(), columns)
    total, count = await planning.write_chunks(action)
    assert (total, count) == (ROWS, 3)
    await BulkAction.get_pymongo_collection().update_one(
        {"_id": action.id}, {"$set": {"total": total, "chunks_total": count}}
    )
    return action


async def test_a_redelivered_chunk_reads_its_rows_from_the_upload_range(
    database: None, account: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    action = await planned_upload_action(account, monkeypatch)
    chunks = await Chunk.find({"action_id": action.id}).sort("seq").to_list()
    assert [(c.first_row, c.last_row) for c in chunks] == [(1, 100), (101, 200), (201, 250)]
    assert all(c.upload_from is not None and c.upload_to is not None for c in chunks)
    assert await ChunkRows.find({"_id": {"$in": [c.id for c in chunks]}}).count() == 0
    assert chunks[1].repeats == [REPEAT_ROW]

    middle = chunks[1].id
    await die_before_recording(monkeypatch, middle)  # its writes made, nothing logged
    written = await Contact.find(Contact.account_id == account).count()
    assert written == 98  # rows 101-200 less the repeat and the invalid one
    for chunk in chunks:
        await processing.process_chunk(chunk.id)  # the middle one delivered again

    logs = await logs_of(action)
    assert [log.row for log in logs] == list(range(1, ROWS + 1))  # one outcome a row
    assert Counter(str(log.reason) for log in logs) == {
        "INSERTED": ROWS - 2,
        "DUPLICATE_IN_INPUT": 1,
        "INVALID": 1,
    }
    by_row = {log.row: log for log in logs}
    assert str(by_row[INVALID_ROW].status) == "FAILED"
    assert str(by_row[REPEAT_ROW].status) == "SKIPPED"
    inserted = {log.row: str(log.entity_id) for log in logs if str(log.reason) == "INSERTED"}
    assert inserted == {row: planned_id(saved_id(action), row) for row in inserted}
    stored = Contact.get_pymongo_collection().find({"account_id": account})
    documents = {str(doc["_id"]): doc async for doc in stored}
    assert set(documents) == set(inserted.values())
    assert documents[inserted[5]]["data"]["first_name"] == 'Ada "5"\nsecond line'
    done = await BulkAction.get(action.id)
    assert done is not None
    assert (done.status, done.succeeded, done.failed, done.skipped) == (
        BulkActionStatus.COMPLETED_WITH_ERRORS,
        ROWS - 2,
        1,
        1,
    )
