"""An upload's write waits out a database outage for its patience, never past the upload's
deadline, and gives up with the outage's own error after it; other errors are not waited
for."""

import time

import pytest
from pymongo.errors import AutoReconnect, OperationFailure

from app.infra.files import writing
from app.infra.settings import get_settings


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


@pytest.fixture(autouse=True)
def quick(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(writing, "RETRY_SECONDS", 0.01)
    monkeypatch.setattr(get_settings(), "upload_outage_patience_seconds", 0.5)


async def test_a_write_is_tried_again_until_the_database_is_back_and_its_answer_kept() -> None:
    write = Failing(5, AutoReconnect("down"))
    assert await writing.riding_out(write, deadline=float("inf")) == 6


async def test_past_its_patience_the_outage_is_the_answer() -> None:
    write = Failing(10_000, AutoReconnect("down"))
    began = time.monotonic()
    with pytest.raises(AutoReconnect):
        await writing.riding_out(write, deadline=float("inf"))
    assert time.monotonic() - began >= 0.5 - writing.RETRY_SECONDS


async def test_never_past_the_upload_s_deadline() -> None:
    write = Failing(10_000, AutoReconnect("down"))
    with pytest.raises(AutoReconnect):
        await writing.riding_out(write, deadline=time.monotonic() + 0.05)
    assert write.calls < 20


async def test_an_error_that_is_no_outage_is_not_waited_for() -> None:
    write = Failing(1, OperationFailure("refused"))
    with pytest.raises(OperationFailure):
        await writing.riding_out(write, deadline=float("inf"))
    assert write.calls == 1
