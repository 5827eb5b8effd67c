"""Promptness at rest: an idle worker takes a message when it is queued or due, without
asking Redis for messages several times a second.

Dramatiq's Redis consumers poll: each looks for messages, and finding none sleeps up to the
worker timeout before it looks again, so how late a message can start is paid for in polls
(two consumers a process, five looks a second each at 200 ms: most of what an idle worker
spends). Here each message queued rings the queue's doorbell, a pub/sub channel
(app.infra.redis.tasks.Broker), and an idle consumer waits for that ring; a delayed message
it took wakes it when due; a thread that frees up wakes it to take the next one. A ring lost
(Redis restarting, messages Dramatiq's maintenance puts back) costs only time: consumers
still look every `WORKER_POLL_MS`.
"""

import logging
import threading
from collections import Counter
from collections.abc import Iterable

import dramatiq
import redis
from dramatiq.broker import Consumer, MessageProxy
from dramatiq.brokers.redis import RedisBroker
from dramatiq.common import current_millis
from dramatiq.middleware import Middleware

from app.infra.redis import keys
from app.infra.redis.tasks import Broker
from app.infra.settings import get_settings

logger = logging.getLogger(__name__)

# The ring that wakes every queue's consumers: a connection to the doorbell made or lost.
EVERY_QUEUE = ""


class Doorbell:
    """How many times each queue's bell has rung in this process: a consumer notes the count
    before it looks for messages and, finding none, waits for the count to change, so a ring
    that comes while it looks is not missed."""

    def __init__(self) -> None:
        self.changed = threading.Condition()
        self.rings: Counter[str] = Counter()

    def heard(self, queue_name: str) -> int:
        return self.rings[queue_name] + self.rings[EVERY_QUEUE]

    def ring(self, queue_name: str = EVERY_QUEUE) -> None:
        with self.changed:
            self.rings[queue_name] += 1
            self.changed.notify_all()

    def wait(self, queue_name: str, heard: int, seconds: float) -> None:
        """Returns at the queue's next ring after `heard`, or after `seconds`."""
        with self.changed:
            self.changed.wait_for(lambda: self.heard(queue_name) != heard, seconds)

    def listen(self, client: redis.Redis, channel: str, stopping: threading.Event) -> None:
        """Rings for every message queued anywhere, until `stopping` (a daemon thread's loop).
        Rings every queue when it connects, or loses its connection: what was queued
        meanwhile is looked for at once."""
        while not stopping.is_set():
            try:
                with client.pubsub(ignore_subscribe_messages=True) as pubsub:
                    pubsub.subscribe(channel)
                    self.ring()
                    while not stopping.is_set():
                        said = pubsub.get_message(timeout=1.0)
                        if said is not None:
                            self.ring(queue_named(said["data"]))
            except Exception as exc:
                # Consumers look at once and then every WORKER_POLL_MS until it is back.
                if not isinstance(exc, (redis.RedisError, OSError)):
                    logger.exception("the doorbell's listener failed; listening again")
                self.ring()
                stopping.wait(1.0)


def queue_named(data: bytes | str) -> str:
    return data.decode() if isinstance(data, bytes) else data


class PromptConsumer(Consumer):
    """A queue's consumer that, finding no message, waits for the queue's bell, for the
    soonest delayed message it handed on to be due, or at most `longest_ms`. `looks` is
    Dramatiq's own consumer, made never to wait, which does the fetching and acknowledging."""

    def __init__(self, looks: Consumer, queue_name: str, bell: Doorbell, longest_ms: int):
        self.looks = looks
        self.queue_name = queue_name
        self.bell = bell
        self.longest_ms = longest_ms
        # Delayed messages handed on and not yet let go, by their Redis id: when each is due
        # (ms). Worker threads let go of messages while this thread reads it.
        self.due: dict[str, int] = {}
        self.due_lock = threading.Lock()

    def __next__(self) -> MessageProxy | None:
        heard = self.bell.heard(self.queue_name)
        message: MessageProxy | None = next(self.looks)
        if message is not None:
            if (eta := message.options.get("eta")) is not None:
                with self.due_lock:
                    self.due[redis_id(message)] = int(eta)
            return message
        self.bell.wait(self.queue_name, heard, self.wait_ms() / 1000)
        return None

    def wait_ms(self) -> int:
        """How long to wait for a ring: until the soonest delayed message is due (Dramatiq's
        consumer thread then queues it), and no longer than `longest_ms`."""
        with self.due_lock:
            soonest = min(self.due.values(), default=None)
        if soonest is None:
            return self.longest_ms
        return max(0, min(self.longest_ms, soonest - current_millis() + 1))

    def ack(self, message: MessageProxy) -> None:
        try:
            self.looks.ack(message)
        finally:
            self.let_go([message])

    def nack(self, message: MessageProxy) -> None:
        try:
            self.looks.nack(message)
        finally:
            self.let_go([message])

    def requeue(self, messages: Iterable[MessageProxy]) -> None:
        messages = list(messages)
        try:
            self.looks.requeue(messages)
        finally:
            self.let_go(messages)

    def close(self) -> None:
        self.looks.close()

    def let_go(self, messages: list[MessageProxy]) -> None:
        """Messages done with: their thread is free, so the consumer looks for the next."""
        with self.due_lock:
            for message in messages:
                self.due.pop(redis_id(message), None)
        self.bell.ring(self.queue_name)


def redis_id(message: MessageProxy) -> str:
    """The id Dramatiq's Redis broker gave this queuing of the message (a message sent again
    keeps its message id)."""
    return str(message.options.get("redis_message_id", message.message_id))


class PromptReturns(Middleware):
    """Installs the prompt consumers and their doorbell in each worker process."""

    def __init__(self) -> None:
        self.bell = Doorbell()
        self.stopping = threading.Event()

    def before_worker_boot(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
        # Read when the worker starts its consumers and threads, right after this hook.
        worker.worker_timeout = get_settings().worker_poll_ms
        if not isinstance(broker, Broker):
            return
        broker.consumer_factory = lambda queue_name, prefetch, longest_ms: PromptConsumer(
            # Dramatiq's consumer, told to wait for nothing: it looks once and returns.
            RedisBroker.consume(broker, queue_name, prefetch, timeout=0),
            queue_name,
            self.bell,
            longest_ms,
        )
        threading.Thread(
            target=self.bell.listen,
            args=(broker.client, keys.doorbell(), self.stopping),
            name="doorbell",
            daemon=True,
        ).start()

    def before_worker_shutdown(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
        self.stopping.set()
