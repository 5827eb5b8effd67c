"""Each delivery of a message is told apart (workers.runtime): every coroutine of one
delivery's work sees the same `Delivery`, the message's next delivery another one with the
same message id, which is how it knows the marks its earlier delivery left."""

from dramatiq import Message

from app.infra.redis.tasks import Delivery
from workers.runtime import delivery_of


def message() -> Message[None]:
    return Message(queue_name="q", actor_name="a", args=("x",), kwargs={}, options={})


def test_one_delivery_is_one_delivery_and_the_next_follows_it() -> None:
    sent = message()
    first = delivery_of(sent)
    assert first is not None and delivery_of(sent) == first  # the work, then giving up
    again = delivery_of(sent.copy())  # delivered again: a new proxy of the same message
    assert again is not None and again != first
    assert again.message_id == first.message_id
    assert again.follows(first.mark) and not again.follows(again.mark)
    other = delivery_of(message())
    assert other is not None and not other.follows(first.mark)
    assert not first.follows(None)


def test_no_message_no_delivery() -> None:
    assert delivery_of(None) is None
    assert not Delivery("m", "a").follows("n/a")
