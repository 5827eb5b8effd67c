"""Planning a CSV reads each row's key from its key cell alone and reads a row whole only when
a later row repeats the key it holds: a key still goes to its first valid row, in the same
chunk or across chunks, as when every row was read whole, and the rows processing logs say
so (app.engine.planning.CsvInput, app.infra.redis.dedupe)."""

from typing import Any

import pytest

from app.domain.entities.contact import Contact
from app.domain.models import BulkAction, Chunk
from app.domain.models.ids import saved_id
from app.domain.rows import Row
from app.engine import completion, planning, processing
from app.infra.files.csv_records import Record
from app.infra.redis import mirrors
from tests.integration.factories import logs_of, record_sends, upload_insert_action

ROWS = 250
COLUMNS = ["email", "first_name", "score"]
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
    action = await upload_insert_action(account, monkeypatch, upload_csv(), COLUMNS)
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


@pytest.mark.parametrize("dies", ["before the batch", "after its chunks, before the hint"])
async def test_planning_run_again_after_keys_moved_keeps_the_first_valid_rows(
    database: None, account: str, monkeypatch: pytest.MonkeyPatch, dies: str
) -> None:
    """Planning dies at its second batch (chunks 1 and 2), after it moved key k from invalid
    row 3 to row 105 in Redis: before writing it, or after inserting its chunks but before
    raising its hint and sending them. Run again from the start, it finds its moves, sends
    each chunk once, and every row ends as when it ran once."""
    action = await upload_insert_action(account, monkeypatch, upload_csv(), COLUMNS)
    sent = record_sends(monkeypatch, completion, "send_chunk")
    owner, name = (
        (planning, "write_batch") if dies == "before the batch" else (mirrors, "wrote_through")
    )
    step = getattr(owner, name)
    calls: list[object] = []

    async def dies_at_the_second(*args: Any) -> None:
        calls.append(args)
        if len(calls) == 2:
            raise ConnectionError("the worker died")
        await step(*args)

    monkeypatch.setattr(owner, name, dies_at_the_second)
    with pytest.raises(ConnectionError):
        await planning.write_chunks(action)
    inserted = 1 if dies == "before the batch" else 3
    assert await Chunk.find({"action_id": action.id}).count() == inserted
    assert len(sent) == 1  # the first chunk; the batch's were not sent
    monkeypatch.setattr(owner, name, step)
    total, count = await planning.write_chunks(action)
    assert (total, count) == (ROWS, 3)
    assert sorted(sent) == [Chunk.id_for(saved_id(action), seq) for seq in range(3)]
    await processed(action, total, count)
