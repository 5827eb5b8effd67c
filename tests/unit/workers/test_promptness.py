"""An idle consumer waits for its queue's doorbell, for a delayed message it handed on to be
due, or for a thread to free up, rather than for its longest wait (workers.promptness).

Every consumer here has a longest wait of a minute: a test that returns within its deadline
of a few seconds shows what woke it, which polling alone would not have done by then.
"""

import threading
from collections.abc import Callable
from typing import Any

from dramatiq import Message
from dramatiq.broker import Consumer, MessageProxy
from dramatiq.common import current_millis

from workers.promptness import Doorbell, PromptConsumer

MINUTE_MS = 60_000
DEADLINE = 10.0  # seconds: a long time for what should take milliseconds, short of a minute


class Looks(Consumer):
    """Dramatiq's consumer as the prompt one uses it: it looks once and returns."""

    def __init__(
        self, found: list[MessageProxy] | None = None, on_look: Callable[[], None] = lambda: None
    ):
        self.found = found or []
        self.on_look = on_look
        self.acked: list[MessageProxy] = []

    def __next__(self) -> MessageProxy | None:
        self.on_look()
        return self.found.pop(0) if self.found else None

    def ack(self, message: MessageProxy) -> None:
        self.acked.append(message)


def proxy(**options: Any) -> MessageProxy:
    message: Message[None] = Message(
        queue_name="q", actor_name="a", args=(), kwargs={}, options=options
    )
    return MessageProxy(message)


def calling_next(consumer: PromptConsumer) -> threading.Event:
    """Calls `next(consumer)` on a thread; the event is set when it returns."""
    done = threading.Event()

    def take() -> None:
        next(consumer)
        done.set()

    threading.Thread(target=take, daemon=True).start()
    return done


def next_within(consumer: PromptConsumer, seconds: float = DEADLINE) -> bool:
    """Whether `next(consumer)` returned within `seconds`."""
    return calling_next(consumer).wait(seconds)


def test_a_ring_of_its_queue_wakes_an_idle_consumer() -> None:
    bell = Doorbell()
    consumer = PromptConsumer(Looks(), "q", bell, MINUTE_MS)
    threading.Timer(0.2, bell.ring, args=("q",)).start()
    assert next_within(consumer)


def test_a_ring_of_another_queue_does_not() -> None:
    bell = Doorbell()
    consumer = PromptConsumer(Looks(), "q", bell, MINUTE_MS)
    returned = calling_next(consumer)
    bell.ring("q.DQ")
    assert not returned.wait(1.0)
    bell.ring()  # every queue's: a connection to the doorbell made or lost
    assert returned.wait(DEADLINE)


def test_a_ring_while_it_looks_is_not_missed() -> None:
    """A message queued after the look began rings before the consumer waits: it looks
    again at once."""
    bell = Doorbell()
    consumer = PromptConsumer(Looks(on_look=lambda: bell.ring("q")), "q", bell, MINUTE_MS)
    assert next_within(consumer)


def test_a_delayed_message_it_handed_on_wakes_it_when_due() -> None:
    """Dramatiq's consumer thread queues a delayed message once it is due, after the
    consumer returns: the consumer waits no longer than that."""
    due = proxy(eta=current_millis() + 300, redis_message_id="r1")
    consumer = PromptConsumer(Looks([due]), "q.DQ", Doorbell(), MINUTE_MS)
    assert next(consumer) is due
    assert 0 < consumer.wait_ms() <= 301  # a millisecond past it
    assert next_within(consumer)
    consumer.ack(due)  # queued where it belongs: nothing is due any more
    assert consumer.wait_ms() == MINUTE_MS


def test_a_message_let_go_frees_a_thread_and_wakes_its_consumer() -> None:
    """With every thread busy the consumer fetches nothing; a thread done with its message
    wakes it to fetch the next."""
    bell = Doorbell()
    looks = Looks([proxy(redis_message_id="r1")])
    consumer = PromptConsumer(looks, "q", bell, MINUTE_MS)
    taken = next(consumer)
    assert taken is not None
    heard = bell.heard("q")
    threading.Timer(0.2, consumer.ack, args=(taken,)).start()
    assert next_within(consumer)
    assert looks.acked == [taken] and bell.heard("q") > heard


def test_without_a_ring_it_still_looks_at_its_longest_wait() -> None:
    consumer = PromptConsumer(Looks(), "q", Doorbell(), 50)
    assert next_within(consumer)


class FlakyPubSub:
    """A pub/sub connection that fails on its first subscribe, then hears one ring."""

    attempts = 0

    def __init__(self, stopping: threading.Event):
        self.stopping = stopping

    def __enter__(self) -> "FlakyPubSub":
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    def subscribe(self, channel: str) -> None:
        FlakyPubSub.attempts += 1
        if FlakyPubSub.attempts == 1:
            raise RuntimeError("a listener's bug, not Redis's")

    def get_message(self, timeout: float) -> dict[str, Any] | None:
        self.stopping.set()
        return {"type": "message", "data": b"q"}


def test_the_listener_listens_again_after_a_failure() -> None:
    bell, stopping = Doorbell(), threading.Event()

    class Client:
        def pubsub(self, ignore_subscribe_messages: bool) -> FlakyPubSub:
            return FlakyPubSub(stopping)

    bell.listen(Client(), "doorbell", stopping)  # type: ignore[arg-type]
    assert FlakyPubSub.attempts == 2 and bell.rings["q"] == 1
