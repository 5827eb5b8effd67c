"""A request's write waits out a database outage for its patience, never past its deadline,
and gives up with the outage's own error after it; other errors are not waited for. A stream
read through an outage is opened again after the last item it gave, and gives each item once,
in order."""

import time
from collections.abc import AsyncGenerator

import pytest
from pymongo.errors import AutoReconnect, OperationFailure

from app.infra import outages


class Failing:
    """A write that fails `times` times with `error`, then succeeds."""

    def __init__(self, times: int, error: Exception) -> None:
        self.left, self.error, self.calls = times, error, 0

    async def __call__(self) -> int:
        self.calls += 1
        if self.left:
            self.left -= 1
            raise self.error
        return self.calls


PATIENCE = 0.5


@pytest.fixture(autouse=True)
def quick(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(outages, "RETRY_SECONDS", 0.01)


async def test_a_write_is_tried_again_until_the_database_is_back_and_its_answer_kept() -> None:
    write = Failing(5, AutoReconnect("down"))
    assert await outages.riding_out(write, float("inf"), PATIENCE) == 6


async def test_past_its_patience_the_outage_is_the_answer() -> None:
    write = Failing(10_000, AutoReconnect("down"))
    began = time.monotonic()
    with pytest.raises(AutoReconnect):
        await outages.riding_out(write, float("inf"), PATIENCE)
    assert time.monotonic() - began >= PATIENCE - outages.RETRY_SECONDS


async def test_never_past_the_upload_s_deadline() -> None:
    write = Failing(10_000, AutoReconnect("down"))
    with pytest.raises(AutoReconnect):
        await outages.riding_out(write, time.monotonic() + 0.05, PATIENCE)
    assert write.calls < 20


async def test_an_error_that_is_no_outage_is_not_waited_for() -> None:
    write = Failing(1, OperationFailure("refused"))
    with pytest.raises(OperationFailure):
        await outages.riding_out(write, float("inf"), PATIENCE)
    assert write.calls == 1


class Stream:
    """Items 1..`last`, opened after a place; the database goes down after item `down_after`
    of each opening, `outages` times in all."""

    def __init__(self, last: int, down_after: int, outages: int) -> None:
        self.last, self.down_after, self.outages = last, down_after, outages
        self.openings: list[int] = []

    async def opened_after(self, after: int) -> AsyncGenerator[int, None]:
        self.openings.append(after)
        for given, item in enumerate(range(after + 1, self.last + 1), start=1):
            if self.outages and given > self.down_after:
                self.outages -= 1
                raise AutoReconnect("down")
            yield item


async def read(stream: Stream) -> list[int]:
    items = outages.ridden_out(stream.opened_after, lambda item: item, PATIENCE)
    return [item async for item in items]


async def test_a_stream_read_through_outages_gives_each_item_once_in_order() -> None:
    stream = Stream(last=10, down_after=3, outages=2)
    assert await read(stream) == list(range(1, 11))
    assert stream.openings == [0, 3, 6]


async def test_a_stream_that_gives_nothing_for_its_patience_ends_with_the_outage() -> None:
    stream = Stream(last=10, down_after=0, outages=10_000)
    with pytest.raises(AutoReconnect):
        await read(stream)


async def test_items_coming_between_outages_start_the_patience_again() -> None:
    """Twenty outages, each after an item: far more waiting than the patience in all, but
    never that long without an item."""
    stream = Stream(last=40, down_after=1, outages=20)
    stream_retry = 0.05  # twenty waits of it: twice the patience
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(outages, "RETRY_SECONDS", stream_retry)
        assert await read(stream) == list(range(1, 41))
