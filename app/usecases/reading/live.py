"""Live progress for the subscribers of one API process.

One Redis pub/sub connection per process listens to the change signals (app.infra.redis.events).
A signal for an action someone here watches starts one read of its progress from MongoDB, shared
by all its watchers (a signal arriving meanwhile asks for one more read after it, never for
more reads in parallel), so the cost of a signal does not grow with the number of subscribers.
Each watcher keeps only the latest progress per action: a slow subscriber skips states rather
than piling them up, and never holds up the others.
"""

import asyncio
import json
import logging
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from beanie import PydanticObjectId

from app.domain.clock import utcnow
from app.domain.models import TERMINAL_STATUSES, BulkAction, BulkActionStatus
from app.infra import metrics
from app.infra.mongo import actions
from app.infra.redis import keys
from app.infra.redis.client import get_redis
from app.usecases.control import status_of
from app.usecases.reading.stats import ActionStats, stats_of

logger = logging.getLogger(__name__)
RECONNECT_SECONDS = 1.0


@dataclass(frozen=True)
class Progress:
    action: BulkAction
    status: BulkActionStatus
    stats: ActionStats
    at: datetime  # when the read began: later reads show later states

    @property
    def action_id(self) -> str:
        return str(self.action.id)

    @property
    def ended(self) -> bool:
        return self.status in TERMINAL_STATUSES


async def read_progress(action_id: PydanticObjectId) -> Progress | None:
    at = utcnow()
    action = await actions.get(action_id)
    if action is None:
        return None
    status = await status_of(action)
    return Progress(action=action, status=status, stats=await stats_of(action, status), at=at)


class Watcher:
    """One subscriber's mailbox: the latest progress of each action it watches."""

    def __init__(self) -> None:
        self.latest: dict[str, Progress] = {}
        self.ready = asyncio.Event()

    def offer(self, progress: Progress) -> None:
        held = self.latest.get(progress.action_id)
        if held is None or held.at < progress.at:
            self.latest[progress.action_id] = progress
            self.ready.set()

    async def take(self) -> list[Progress]:
        await self.ready.wait()
        self.ready.clear()
        taken, self.latest = list(self.latest.values()), {}
        return taken


class LiveHub:
    def __init__(self) -> None:
        self.by_action: defaultdict[str, set[Watcher]] = defaultdict(set)
        self.by_account: defaultdict[str, set[Watcher]] = defaultdict(set)
        self.refreshing: dict[str, asyncio.Task[None]] = {}
        self.again: set[str] = set()
        self.listener: asyncio.Task[None] | None = None
        self.subscribed = asyncio.Event()

    def counts(self) -> dict[str, int]:
        return {
            "watchers": len(
                {w for ws in (*self.by_action.values(), *self.by_account.values()) for w in ws}
            ),
            "refreshing": len(self.refreshing),
            "listening": int(self.listener is not None and not self.listener.done()),
        }

    @asynccontextmanager
    async def watching(
        self, *, action_id: str | None = None, account_id: str | None = None
    ) -> AsyncIterator[Watcher]:
        """A watcher of one action, or of every action of an account, while the block runs."""
        await self.listen_once()
        watcher = Watcher()
        index, key = (self.by_action, action_id) if action_id else (self.by_account, account_id)
        assert key is not None
        index[key].add(watcher)
        metrics.LIVE_SUBSCRIBERS.inc()  # counted across the API's processes
        try:
            yield watcher
        finally:
            metrics.LIVE_SUBSCRIBERS.dec()
            index[key].discard(watcher)
            if not index[key]:
                del index[key]

    async def listen_once(self) -> None:
        """Starts this process's listener on first use, and waits until it is subscribed."""
        if self.listener is None or self.listener.done():
            self.subscribed.clear()
            self.listener = asyncio.create_task(self.listen(), name="live-listener")
        await self.subscribed.wait()

    async def listen(self) -> None:
        while True:
            pubsub = get_redis().pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.subscribe(keys.events_channel())
                if self.subscribed.is_set():
                    self.refresh_all()  # signals may have been lost while reconnecting
                self.subscribed.set()
                async for message in pubsub.listen():
                    signal = json.loads(message["data"])
                    self.changed(signal["action"], signal["account"])
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("live listener lost Redis; reconnecting")
                await asyncio.sleep(RECONNECT_SECONDS)
            finally:
                await pubsub.aclose()  # type: ignore[no-untyped-call, unused-ignore]  # typed in newer redis

    def changed(self, action_id: str, account_id: str) -> None:
        if action_id not in self.by_action and account_id not in self.by_account:
            return
        if action_id in self.refreshing:
            self.again.add(action_id)
            return
        self.refreshing[action_id] = asyncio.create_task(self.refresh(action_id))

    def refresh_all(self) -> None:
        for action_id in list(self.by_action):
            self.changed(action_id, "")

    async def refresh(self, action_id: str) -> None:
        try:
            while True:
                self.again.discard(action_id)
                progress = await read_progress(PydanticObjectId(action_id))
                if progress is not None:
                    watchers = self.by_action.get(action_id, set()) | self.by_account.get(
                        progress.action.account_id, set()
                    )
                    for watcher in watchers:
                        watcher.offer(progress)
                if action_id not in self.again:
                    return
        except Exception:
            logger.exception("reading progress of %s failed", action_id)
        finally:
            del self.refreshing[action_id]

    async def close(self) -> None:
        tasks: list[Any] = [*self.refreshing.values()]
        if self.listener is not None:
            tasks.append(self.listener)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self.listener = None


hub = LiveHub()
