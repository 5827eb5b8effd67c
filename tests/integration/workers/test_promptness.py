"""The doorbell over the real Redis: each message the broker queues rings its queue's bell
in every worker process listening (app.infra.redis.tasks.Broker, workers.promptness), and a
ring that cannot be sent never costs the message nor queues it twice."""

import threading
import uuid
from collections.abc import Iterator

import pytest
import redis
from dramatiq import Message

from app.infra.redis import keys
from app.infra.redis.tasks import Broker, get_broker
from workers.promptness import Doorbell

DEADLINE = 30.0


@pytest.fixture
def queue_name() -> Iterator[str]:
    """A queue of this test's own, which no worker consumes."""
    name = f"doorbell-{uuid.uuid4().hex[:8]}"
    yield name
    get_broker().client.delete(
        keys.queue(name), keys.delayed_queue(name), keys.queue(name) + ".msgs"
    )


def message(queue_name: str) -> Message[None]:
    return Message(queue_name=queue_name, actor_name="a", args=(), kwargs={}, options={})


def heard_within(bell: Doorbell, queue_name: str, heard: int) -> bool:
    with bell.changed:
        return bell.changed.wait_for(lambda: bell.heard(queue_name) != heard, DEADLINE)


def test_a_queued_message_rings_its_queue_in_a_listening_process(queue_name: str) -> None:
    broker = get_broker()
    bell, stopping = Doorbell(), threading.Event()
    listener = threading.Thread(
        target=bell.listen, args=(broker.client, keys.doorbell(), stopping), daemon=True
    )
    heard = bell.heard(queue_name)
    listener.start()
    try:
        assert heard_within(bell, queue_name, heard)  # listening: every queue looks once
        for delay, rung in [(None, queue_name), (60_000, f"{queue_name}.DQ")]:
            heard = bell.heard(rung)
            broker.enqueue(message(queue_name), delay=delay)
            assert heard_within(bell, rung, heard)
    finally:
        stopping.set()
        listener.join(DEADLINE)


def test_a_ring_that_fails_leaves_the_message_queued_once(
    queue_name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    broker = get_broker()
    assert isinstance(broker, Broker)

    def refused(*args: object) -> None:
        raise redis.ConnectionError("Redis went away after the message was queued")

    monkeypatch.setattr(broker.client, "publish", refused)
    broker.enqueue(message(queue_name))  # no error: the caller must not send it again
    assert broker.client.llen(keys.queue(queue_name)) == 1
