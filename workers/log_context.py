"""Log lines in the workers: the format LOG_FORMAT names, and the ids of the message being
processed (its action and chunk) on every line logged meanwhile, in the worker thread and in
the coroutines it runs (workers.runtime)."""

import dramatiq
from dramatiq.broker import MessageProxy
from dramatiq.middleware import Middleware

from app.infra import log_lines
from app.infra.redis import tasks


def ids_of(message: MessageProxy) -> dict[str, str]:
    if not message.args:
        return {}
    subject = str(message.args[0])
    if message.actor_name == tasks.PROCESS_CHUNK:  # "<action>:<seq>[/<part>]"
        return {"action_id": subject.split(":", 1)[0], "chunk_id": subject}
    return {"action_id": subject}


class LogContext(Middleware):
    def after_process_boot(self, broker: dramatiq.Broker) -> None:
        log_lines.configure()

    def before_process_message(self, broker: dramatiq.Broker, message: MessageProxy) -> None:
        log_lines.log_ids.set(ids_of(message))

    def after_process_message(
        self,
        broker: dramatiq.Broker,
        message: MessageProxy,
        *,
        result: object = None,
        exception: BaseException | None = None,
    ) -> None:
        log_lines.log_ids.set({})

    after_skip_message = after_process_message
