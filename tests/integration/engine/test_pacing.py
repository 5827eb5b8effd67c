"""Admitting chunks under an account's limit, driven step by step in this process."""

from datetime import datetime

import pytest

from app.domain.entities.contact import Contact
from app.domain.models import (
    BulkAction,
    BulkActionStatus,
    Chunk,
    ControlRequest,
)
from app.domain.models.ids import saved_id
from app.engine import processing, splitting
from app.engine.pacing import Verdict, WriteMustWait, admit, begin_write
from app.infra.mongo import controls
from app.infra.redis import account_limits
from tests.integration.factories import insert_rows, limit_account, processing_action


def emails(count: int, tag: str) -> list[str]:
    return [f"{tag}{n}@example.com" for n in range(count)]


async def test_a_chunk_that_fits_runs_and_the_next_waits_for_its_booked_time(
    database: None, account: str
) -> None:
    await limit_account(account, 20)
    _, first = await processing_action(account, "CONTACT", "INSERT", insert_rows(emails(20, "a")))
    _, second = await processing_action(account, "CONTACT", "INSERT", insert_rows(emails(5, "b")))

    assert (await admit(first.id)).verdict is Verdict.RUN
    waiting = await admit(second.id)
    assert waiting.verdict is Verdict.WAIT
    # The first chunk's rows count for a minute plus the margin; then the second fits.
    assert 59_000 < waiting.wait_ms <= 61_000
    # Delivered again, it finds its booking by its id: same place, not charged twice.
    again = await admit(second.id)
    assert again.verdict is Verdict.WAIT and again.wait_ms <= waiting.wait_ms
    usage = await account_limits.entity_limit().usage(account)
    assert (usage.in_window, usage.ahead) == (0, 25)  # booked; nothing written yet


async def test_paused_chunks_are_dropped_and_cancelled_ones_run_uncharged(
    database: None, account: str
) -> None:
    await limit_account(account, 10)
    action, chunk = await processing_action(
        account, "CONTACT", "INSERT", insert_rows(emails(8, "p"))
    )
    await controls.set_request(saved_id(action), account, ControlRequest.PAUSE)
    assert (await admit(chunk.id)).verdict is Verdict.DROP
    await controls.set_request(saved_id(action), account, ControlRequest.CANCEL)
    assert (await admit(chunk.id)).verdict is Verdict.RUN
    assert (await account_limits.entity_limit().usage(account)).in_window == 0


@pytest.mark.parametrize("request_now", [ControlRequest.PAUSE, ControlRequest.CANCEL])
async def test_a_pause_or_cancel_made_while_a_chunk_books_leaves_no_booking(
    database: None, account: str, monkeypatch: pytest.MonkeyPatch, request_now: ControlRequest
) -> None:
    """The owner's request, read as RUN, changes before the chunk books ahead (the planner's
    release ran before the booking, and found nothing): the chunk gives its booking back."""
    await limit_account(account, 20)
    _, first = await processing_action(account, "CONTACT", "INSERT", insert_rows(emails(20, "f")))
    _, late = await processing_action(account, "CONTACT", "INSERT", insert_rows(emails(5, "l")))
    assert (await admit(first.id)).verdict is Verdict.RUN  # the window is full
    answers = iter([ControlRequest.RUN, request_now])

    async def request_of(action_id: object) -> ControlRequest:
        return next(answers, request_now)

    monkeypatch.setattr(controls, "request_of", request_of)
    admitted = await admit(late.id)
    # Paused: dropped (resuming queues it again); cancelled: runs uncharged, to skip its rows.
    wanted = Verdict.DROP if request_now is ControlRequest.PAUSE else Verdict.RUN
    assert admitted.verdict is wanted
    # The first chunk keeps its place; the late one gave its 5 rows back.
    assert (await account_limits.entity_limit().usage(account)).ahead == 20


async def test_a_chunk_larger_than_the_limit_is_split_into_parts_that_fit(
    database: None, account: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The parts are queued, and this test processes them: the suite's workers, given them
    # too, booked them under the limit of 20 they still held a moment later (a part then
    # waited a minute here).
    queued: list[str] = []

    async def send_chunk(chunk_id: str) -> None:
        queued.append(chunk_id)

    monkeypatch.setattr(splitting, "send_chunk", send_chunk)
    rows = insert_rows(emails(25, "s"))
    action, chunk = await processing_action(account, "CONTACT", "INSERT", rows)
    await limit_account(account, 20)  # lowered after planning: parts of 20 // 10 = 2 rows

    assert (await admit(chunk.id)).verdict is Verdict.DROP
    parent = await Chunk.get(chunk.id)
    assert parent is not None and parent.parts == 13
    parts = [await Chunk.get(parent.part_id(n)) for n in range(13)]
    assert [part.size for part in parts if part] == [2] * 12 + [1]
    assert sorted(queued) == sorted(parent.part_id(n) for n in range(13))

    await limit_account(account, 1000)  # what follows is the parts' processing, not pacing
    for part in parts:
        assert part is not None
        await processing.process_chunk(part.id)
    done = await BulkAction.get(action.id)
    assert done is not None
    assert done.status is BulkActionStatus.COMPLETED
    assert (done.succeeded, done.failed, done.skipped) == (25, 0, 0)
    parent = await Chunk.get(chunk.id)
    assert parent is not None and parent.done


async def test_rows_that_no_longer_fit_when_written_wait_and_nothing_is_written(
    database: None, account: str
) -> None:
    await limit_account(account, 30)
    _, first = await processing_action(account, "CONTACT", "INSERT", insert_rows(emails(15, "f")))
    _, late = await processing_action(account, "CONTACT", "INSERT", insert_rows(emails(10, "l")))
    assert (await admit(first.id)).verdict is Verdict.RUN
    assert (await admit(late.id)).verdict is Verdict.RUN
    usage = await account_limits.entity_limit().usage(account)
    assert (usage.in_window, usage.ahead) == (0, 25)  # let through; nothing written yet

    await processing.process_chunk(first.id)  # its rows are charged as they are written
    assert await Contact.find({"account_id": account}).count() == 15
    usage = await account_limits.entity_limit().usage(account)
    assert (usage.in_window, usage.ahead) == (15, 10)

    # Before the second chunk writes, the limit is lowered: its rows would overfill the
    # window that ends now, so it is booked again for when they fit and writes nothing.
    await limit_account(account, 20)
    with pytest.raises(WriteMustWait) as waiting:
        await processing.process_chunk(late.id)
    assert waiting.value.wait_ms > 50_000
    assert await Contact.find({"account_id": account}).count() == 15
    usage = await account_limits.entity_limit().usage(account)
    assert (usage.in_window, usage.ahead) == (15, 10)


async def test_a_pause_made_after_admission_holds_a_chunk_that_has_not_begun_writing(
    database: None, account: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The owner pauses while a chunk, admitted under RUN, decides: it is counted as writing
    first and then reads the request again, so it writes nothing; a pause seen with no rows
    finishing holds it. Resumed, it runs and its rows are charged once."""
    await limit_account(account, 100)
    action, chunk = await processing_action(
        account, "CONTACT", "INSERT", insert_rows(emails(8, "w"))
    )

    async def paused_meanwhile(admitted: Chunk) -> datetime:
        await controls.set_request(saved_id(action), account, ControlRequest.PAUSE)
        return await begin_write(admitted)

    monkeypatch.setattr(processing, "begin_write", paused_meanwhile)
    await processing.process_chunk(chunk.id)
    assert await Contact.find({"account_id": account}).count() == 0
    stored = await Chunk.get(chunk.id)
    assert stored is not None and not stored.done
    writing = await account_limits.entity_limit().writing(account, [f"{action.id}:"])
    assert writing == [0]  # not counted as finishing any more

    monkeypatch.setattr(processing, "begin_write", begin_write)
    await controls.set_request(saved_id(action), account, ControlRequest.RUN)
    await processing.process_chunk(chunk.id)  # as resuming queues it again
    assert await Contact.find({"account_id": account}).count() == 8
    usage = await account_limits.entity_limit().usage(account)
    assert usage.in_window == 8  # charged once
