"""A chunk reads what it needs with one query, whatever its size: UPDATE and DELETE find their
500 targets with one `{_id: {$in}, account_id}` find (it was one lookup per id), and an UPDATE
giving them all one change writes them with one command; and a whole chunk costs a fixed,
small number of commands."""

from dataclasses import replace

import pytest
from beanie import PydanticObjectId
from bson import ObjectId

from app.domain.models import BulkAction, Chunk
from app.domain.models.ids import saved_id
from app.engine import completion, planning, processing
from app.engine.completion import in_flight
from app.infra.mongo import actions as stored_actions
from app.infra.mongo import controls, db
from app.infra.mongo.accounts.limits import limit_for
from app.infra.redis import mirrors
from tests.integration.commands import COUNTER
from tests.integration.factories import (
    chain_successor,
    insert_rows,
    processing_action,
    record_sends,
    seed_contacts,
)


@pytest.mark.parametrize("action_type", ["UPDATE", "DELETE"])
async def test_a_chunk_of_500_ids_finds_its_targets_with_one_query(
    database: None, account: str, action_type: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # mongod's path, forced on any FerretDB too (as released, it reads a collection whole
    # for an `$in`).
    monkeypatch.setattr(db, "_traits", replace(db.traits(), reads_all_for_id_lists=False))
    ids = await seed_contacts(account, [{}] * 500, key=lambda n: f"q{n}@example.com")
    rows = [{"row": n, "id": str(i)} for n, i in enumerate([*ids, ObjectId()], start=1)]
    extra = {"fields": {"company": "Acme"}} if action_type == "UPDATE" else {}
    action, chunk = await processing_action(account, "CONTACT", action_type, rows, **extra)

    with COUNTER.counting() as commands:
        await processing.process_chunk(str(chunk.id))

    reads = [name for name, target in commands if name == "find" and target == "contacts"]
    assert reads == ["find"], commands
    if action_type == "UPDATE":
        # One update for all 500 (one update_many): they are all given the same change.
        writes = [name for name, target in commands if target == "contacts" and name != "find"]
        assert writes == ["update"], commands
    done = await BulkAction.get(action.id)
    assert done is not None
    assert (done.succeeded, done.failed) == (500, 1)


# What every INSERT chunk of 500 rows sends, admitted and processed.
ADMITTED_AND_WRITTEN = [
    ("find", "chunks"),  # admission: the chunk (the owner's request: Redis's mirror)
    ("find", "chunk_rows"),
    ("insert", "contacts"),
    ("insert", "log_blocks"),
    ("update", "chunks"),  # done, with its counts
]


async def insert_chunk_commands(
    account: str, other_seq: int | None, hinted: bool = False
) -> list[tuple[str, object]]:
    """The commands of an INSERT chunk (seq 0) of an action planned with one more chunk
    (`other_seq`: its chain's next, seq 0 + CHUNKS_IN_FLIGHT, when None), processed by a
    process that ran a chunk of it before; `hinted`: with planning's hint that it wrote
    that chunk."""
    emails = [f"c{n}@example.com" for n in range(500)]
    action, chunk = await processing_action(account, "CONTACT", "INSERT", insert_rows(emails))
    other = await chain_successor(chunk, seq=other_seq)
    if hinted:
        await mirrors.wrote_through(str(action.id), other.seq)
    await stored_actions.as_planned(saved_id(action))  # as an earlier chunk of it would have
    await controls.request_of(saved_id(action))  # mirrored, as an earlier chunk would leave it
    await limit_for(account)
    with COUNTER.counting() as commands:
        await processing.process_chunk(str(chunk.id))  # admission is its first step
    return commands


async def test_an_insert_chunk_is_admitted_and_processed_with_six_commands(
    database: None, account: str
) -> None:
    """Admission reads the chunk and the owner's request (from Redis's mirror), and processing
    uses them; the action's settings are read once per process; a chunk whose chain goes on
    does not sum the action's chunks; an INSERT stores no before-images and no decisions (its
    planned ids make it idempotent). (It was 16, then 7 while the owner's request was read
    from the database.)"""
    commands = await insert_chunk_commands(account, other_seq=None)
    expected = [*ADMITTED_AND_WRITTEN, ("find", "chunks")]  # its chain's next chunk, sent
    assert sorted(commands) == sorted(expected), commands


async def test_a_chunk_planning_says_is_written_is_sent_unread(
    database: None, account: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Planning's hint says its chain's next chunk is written: the chunk just done sends it
    without reading it (five commands); without the hint (Redis lost it), it reads it."""
    sent = record_sends(monkeypatch, completion, "send_chunk")
    commands = await insert_chunk_commands(account, other_seq=None, hinted=True)
    assert sorted(commands) == sorted(ADMITTED_AND_WRITTEN), commands
    assert [chunk_id.rsplit(":", 1)[1] for chunk_id in sent] == [str(in_flight())]


async def test_the_last_chunk_of_its_chain_reads_no_successor_and_not_the_action(
    database: None, account: str
) -> None:
    """Its action's chunk count, known to the process once planning has set it, says there
    is no chunk after it in its chain: it reads none. Another chain's last chunk (seq 1) is
    not done, as the tally of chain ends in Redis tells: it neither reads the action nor adds
    up its chunks (it did, at every chain's end)."""
    commands = await insert_chunk_commands(account, other_seq=1)
    assert sorted(commands) == sorted(ADMITTED_AND_WRITTEN), commands


async def test_a_chain_end_whose_process_read_the_action_while_planning_reads_no_successor(
    database: None, account: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The process's copy of the action was read before planning set the chunk count (the
    first chunks run while planning reads): the count planning noted in Redis tells the
    chunk its chain has no next chunk, unread (it was read, and found missing)."""
    copy_without_count = stored_actions.as_planned

    async def as_planned(action_id: PydanticObjectId, **options: bool) -> BulkAction | None:
        action = await copy_without_count(action_id, **options)
        if action is None or options.get("with_chunk_count"):
            return action
        read_early: BulkAction = action.model_copy(update={"chunks_total": None})
        return read_early

    monkeypatch.setattr(stored_actions, "as_planned", as_planned)
    commands = await insert_chunk_commands(account, other_seq=1)
    assert sorted(commands) == sorted(ADMITTED_AND_WRITTEN), commands


async def test_the_chunk_that_ends_the_last_chain_adds_up_the_chunks_and_ends_the_action(
    database: None, account: str
) -> None:
    """Chains 0 and 1 end at chunks 0 and 1; chunk 1 is done first. Chunk 0's end completes
    the tally: it adds up the action's chunks (one aggregate; on FerretDB v1, whose `$group`
    sums are wrong, a find of the counts) and ends the action."""
    emails = [f"c{n}@example.com" for n in range(500)]
    action, chunk = await processing_action(account, "CONTACT", "INSERT", insert_rows(emails))
    (last,) = insert_rows(["last@example.com"])
    other = await chain_successor(chunk, seq=1, rows=[{**last, "row": 501}])
    await processing.process_chunk(other.id)
    running = await BulkAction.get(action.id)
    assert running is not None and running.status == "PROCESSING"  # chunk 0 is to do
    await stored_actions.as_planned(saved_id(action))
    await controls.request_of(saved_id(action))
    await limit_for(account)

    with COUNTER.counting() as commands:
        await processing.process_chunk(str(chunk.id))

    summing = ("find", "chunks") if db.traits().wrong_group_sums else ("aggregate", "chunks")
    assert summing in commands, commands
    done = await BulkAction.get(action.id)
    assert done is not None and done.status == "COMPLETED", done


async def while_planning(account: str) -> tuple[BulkAction, Chunk]:
    """An INSERT chunk of 500 rows (seq 0) of an action planning is still writing: no chunk
    count anywhere; the process has a copy of the action, read now."""
    emails = [f"c{n}@example.com" for n in range(500)]
    action, chunk = await processing_action(account, "CONTACT", "INSERT", insert_rows(emails))
    await BulkAction.get_pymongo_collection().update_one(
        {"_id": action.id}, {"$set": {"chunks_total": None}}
    )
    await mirrors.forget_chains(str(action.id))
    await stored_actions.as_planned(saved_id(action))
    return action, chunk


@pytest.mark.parametrize("read_lately", [True, False], ids=["read_lately", "read_long_ago"])
async def test_a_chain_end_while_planning_reads_the_action_at_most_once_in_a_while(
    database: None, account: str, monkeypatch: pytest.MonkeyPatch, read_lately: bool
) -> None:
    """Planning is still writing (no chunk count anywhere): a chain's end cannot tell whether
    the action is complete. Its process read the action lately: it reads it not again (the
    chunks outpacing planning read it at every chain's end, most of an INSERT's reads of
    actions; planning, once it has set the count, looks itself). Read long ago: once more."""
    action, chunk = await while_planning(account)
    action_id = saved_id(action)
    # Its copy read just now counts as read lately for a minute, or as read long ago at once.
    monkeypatch.setattr(stored_actions, "COUNT_READ_AGAIN_SECONDS", 60.0 if read_lately else 0.0)
    await controls.request_of(action_id)
    await limit_for(account)

    with COUNTER.counting() as commands:
        await processing.process_chunk(str(chunk.id))

    expected = [*ADMITTED_AND_WRITTEN, ("find", "chunks")]  # its chain's next: not written
    if not read_lately:
        expected.append(("find", "bulk_actions"))
    assert sorted(commands) == sorted(expected), commands
    running = await BulkAction.get(action.id)
    assert running is not None and running.status == "PROCESSING"


async def test_a_chain_end_ahead_of_planning_reads_no_successor_and_planning_sends_it(
    database: None, account: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Planning's hint says it has written chunks through seq 0 only: the chunk done reads
    not its chain's next one (it is not written yet; the chunks outpacing planning read it,
    found nothing, at every chain's end). Planning, writing it next, finds the chunk before
    it done and sends it."""
    sent = record_sends(monkeypatch, completion, "send_chunk")
    action, chunk = await while_planning(account)
    action_id = saved_id(action)
    await mirrors.wrote_through(str(action_id), 0)
    await controls.request_of(action_id)
    await limit_for(account)

    with COUNTER.counting() as commands:
        await processing.process_chunk(str(chunk.id))
    assert sorted(commands) == sorted(ADMITTED_AND_WRITTEN), commands
    assert sent == []

    following = Chunk(
        id=Chunk.id_for(action_id, in_flight()),
        action_id=action_id,
        account_id=account,
        seq=in_flight(),
        size=1,
    )
    await planning.write_batch([following], {})
    assert sent == [following.id]
