"""What a sweep costs the database: the sweeper runs every few seconds in every deployment,
busy or not."""

import pytest

from app.engine import sweeping, webhooks
from app.infra.redis import keys, lease
from tests.integration.commands import COUNTER


async def test_a_sweep_reads_the_actions_it_watches_with_one_query(
    database: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The scheduled actions now due and the queued or running ones: one find (it was two).
    Missed webhook announcements are looked for only when their own lease, taken once per
    ANNOUNCE_EVERY, lets this sweep look (two queries, every fifth sweep at most)."""
    granted = {keys.sweeper_lease(): True, keys.announcing_lease(): False}

    async def take(name: str, ms: int, holder: str | None = None) -> bool:
        return granted.get(name, False)  # never the retention sweep's: not measured here

    monkeypatch.setattr(lease, "take", take)
    announced: list[int] = []

    async def announce_missed() -> int:
        announced.append(1)
        return 0

    monkeypatch.setattr(webhooks, "announce_missed", announce_missed)

    with COUNTER.counting() as commands:
        await sweeping.sweep()
    actions_read = [command for command in commands if command[1] == "bulk_actions"]
    assert actions_read == [("find", "bulk_actions")], commands
    assert announced == []

    granted[keys.announcing_lease()] = True
    await sweeping.sweep()
    assert announced == [1]
