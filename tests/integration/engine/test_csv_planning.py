"""Planning a CSV reads each row's key from its key cell alone and reads a row whole only when
a later row repeats the key it holds: a key still goes to its first valid row, in the same
chunk or across chunks, as when every row was read whole, and the rows processing logs say
so (app.engine.planning.CsvInput, app.infra.redis.dedupe)."""

from collections.abc import AsyncIterator

import pytest

from app.domain.entities.contact import Contact
from app.domain.models import BulkAction, BulkActionStatus, Chunk
from app.domain.rows import Row
from app.engine import completion, planning, processing
from app.infra.files import uploads
from app.infra.files.csv_records import Record
from app.infra.redis import liveness
from tests.integration.factories import logs_of, record_sends

ROWS = 250
# Row → (email, score): rows not named here are r<n>@example.com with score n.
SPECIAL = {
    3: ("k@example.com", "not-a-number"),  # holds k, invalid: the key goes on to row 105
    105: ("K@example.com ", "1"),  # the first valid row of k (another chunk)
    150: ("k@example.com", "2"),  # repeats k
    10: ("m@example.com", "bad"),  # holds m, invalid: the key goes on to row 11
    11: ("m@example.com", "3"),
    12: ("M@example.com", "4"),  # repeats m in the chunk
    20: ("not-an-email", "5"),  # no key: read whole where its key is read
    30: ("r31@example.com", "6"),  # holds r31's key before row 31 and is valid
    230: ("z@example.com", "7"),  # in the last chunk, which planning makes after the last row
    240: ("z@example.com", "8"),
}


def upload_csv() -> bytes:
    lines = [b"email,first_name,score\r\n"]
    for n in range(1, ROWS + 1):
        email, score = SPECIAL.get(n, (f"r{n}@example.com", str(n)))
        lines.append(f'{email},"Name, {n}",{score}\r\n'.encode())
    return b"".join(lines)


async def body(data: bytes) -> AsyncIterator[bytes]:
    yield data


async def upload_action(account: str, monkeypatch: pytest.MonkeyPatch) -> BulkAction:
    """An INSERT of the upload, to be planned into chunks of 100 rows, none of them sent."""
    stored = await uploads.store(account, "contacts.csv", body(upload_csv()))
    action = BulkAction(
        account_id=account,
        entity_type="CONTACT",
        action_type="INSERT",
        status=BulkActionStatus.PROCESSING,
        upload_id=stored.id,
        columns=["email", "first_name", "score"],
    )
    await action.insert()
    await liveness.touch(str(action.id))  # the suite's sweeper leaves it to the test
    record_sends(monkeypatch, completion, "send_chunk")
    monkeypatch.setattr(planning, "chunk_size_for", lambda limit: 100)
    return action


async def processed(action: BulkAction, total: int, count: int) -> None:
    """Every chunk of the planned action processed; the logs and entities as expected."""
    await BulkAction.get_pymongo_collection().update_one(
        {"_id": action.id}, {"$set": {"total": total, "chunks_total": count}}
    )
    for chunk in await Chunk.find({"action_id": action.id}).sort("seq").to_list():
        await processing.process_chunk(chunk.id)
    logs = {log.row: (str(log.status), str(log.reason)) for log in await logs_of(action)}
    assert len(logs) == ROWS
    assert {row: logs[row] for row in [*sorted(SPECIAL), 31]} == {
        3: ("FAILED", "INVALID"),
        10: ("FAILED", "INVALID"),
        11: ("SUCCESS", "INSERTED"),
        12: ("SKIPPED", "DUPLICATE_IN_INPUT"),
        20: ("FAILED", "INVALID"),
        30: ("SUCCESS", "INSERTED"),
        31: ("SKIPPED", "DUPLICATE_IN_INPUT"),
        105: ("SUCCESS", "INSERTED"),
        150: ("SKIPPED", "DUPLICATE_IN_INPUT"),
        230: ("SUCCESS", "INSERTED"),
        240: ("SKIPPED", "DUPLICATE_IN_INPUT"),
    }
    stored = Contact.get_pymongo_collection().find({"account_id": action.account_id})
    keys = {doc["key"]: doc["data"]["score"] async for doc in stored}
    assert (keys["k@example.com"], keys["m@example.com"]) == (1, 3)
    assert len(keys) == ROWS - 7  # 3 invalid rows, 4 repeats


async def test_a_key_goes_to_its_first_valid_row_though_planning_reads_few_rows_whole(
    database: None, account: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    action = await upload_action(account, monkeypatch)
    read_whole: list[int] = []
    whole = planning.CsvInput.whole

    def counted(self: planning.CsvInput, record: Record) -> Row:
        read_whole.append(record.number)
        return whole(self, record)

    monkeypatch.setattr(planning.CsvInput, "whole", counted)
    total, count = await planning.write_chunks(action)
    assert (total, count) == (ROWS, 3)
    # Only the holders of repeated keys, and the row whose key cell is bad.
    assert sorted(read_whole) == [3, 10, 11, 20, 30, 105, 230]
    chunks = await Chunk.find({"action_id": action.id}).sort("seq").to_list()
    assert [c.repeats for c in chunks] == [[12, 31], [150], [240]]
    await processed(action, total, count)


async def test_planning_run_again_after_keys_moved_keeps_the_first_valid_rows(
    database: None, account: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Planning dies writing its second batch (chunks 1 and 2), after it moved key k from
    invalid row 3 to row 105 in Redis; run again from the start, it finds its moves and
    every row ends as when it ran once."""
    action = await upload_action(account, monkeypatch)
    write_batch = planning.write_batch
    batches: list[int] = []

    async def dies_at_the_second(made: list[Chunk], rows: dict[str, list[Row]]) -> None:
        batches.append(len(made))
        if len(batches) == 2:
            raise ConnectionError("the worker died")
        await write_batch(made, rows)

    monkeypatch.setattr(planning, "write_batch", dies_at_the_second)
    with pytest.raises(ConnectionError):
        await planning.write_chunks(action)
    assert await Chunk.find({"action_id": action.id}).count() == 1
    monkeypatch.setattr(planning, "write_batch", write_batch)
    total, count = await planning.write_chunks(action)
    assert (batches, total, count) == ([1, 2], ROWS, 3)
    await processed(action, total, count)
