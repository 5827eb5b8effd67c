"""The rate-limit middleware: each chunk message is admitted under its account's limit.

Before a chunk runs, app.engine.pacing charges its rows to the account. A chunk that must
wait is sent again with the exact delay until its booked time (where it finds its booking by
the chunk's id), and this delivery is skipped: not a failure, so it spends none of the
message's retries, and never lost, as the new message is queued before this one is
acknowledged. A chunk whose rows no longer fit when it comes to write them
(app.engine.pacing) is sent again the same way.
"""

import logging
import threading

import dramatiq
from dramatiq.broker import MessageProxy
from dramatiq.middleware import CurrentMessage, Middleware, SkipMessage

from app.engine.pacing import Admission, Verdict, admit
from app.infra.redis import tasks
from workers.runtime import run

# Per worker thread: the admission of the message the thread is about to process.
_admitted = threading.local()


class QuietSkips(logging.Filter):
    """Dramatiq warns of every skipped message; here a skip is routine pacing."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "was skipped" not in record.getMessage()


class Pacing(Middleware):
    def after_worker_boot(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
        logging.getLogger("dramatiq.worker.WorkerThread").addFilter(QuietSkips())

    def before_process_message(self, broker: dramatiq.Broker, message: MessageProxy) -> None:
        if message.actor_name != tasks.PROCESS_CHUNK:
            return
        admission = run(admit(message.args[0]))
        if admission.verdict is Verdict.RUN:
            # The actor runs next on this thread: it uses what admission read.
            _admitted.message = (message.message_id, admission)
            return
        if admission.verdict is Verdict.WAIT:
            broker.enqueue(message.copy(), delay=admission.wait_ms)
        raise SkipMessage(f"chunk {message.args[0]}: {admission.verdict.value}")


def admission_of(message_id: str) -> Admission | None:
    """The admission of this message, once: what the middleware read before the actor ran."""
    held: tuple[str, Admission] | None = getattr(_admitted, "message", None)
    _admitted.message = None
    return held[1] if held is not None and held[0] == message_id else None


def come_back_in(wait_ms: int) -> None:
    """Sends the current message again in `wait_ms` (app.engine.deferral): queued before
    this delivery is acknowledged, so it is never lost, and no retry is spent."""
    message = CurrentMessage.get_current_message()
    assert message is not None
    broker = dramatiq.get_broker()
    broker.enqueue(message.copy(), delay=wait_ms or None)
