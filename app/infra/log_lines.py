"""How the platform's processes log: plain text, or with LOG_FORMAT=json one JSON object per
line (python-json-logger) that carries the action, chunk and account the line is about.

The ids come from a context variable that the workers set for the message they process
(`about`), so every line logged meanwhile, the platform's or a library's, carries them.
"""

import logging
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from types import MappingProxyType

from pythonjsonlogger.json import JsonFormatter

from app.infra.settings import get_settings

IDS = ("action_id", "chunk_id", "account_id")
TEXT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# Loggers that keep handlers of their own (uvicorn's): they get ours instead.
OWN_HANDLERS = ("uvicorn", "uvicorn.error", "uvicorn.access")

log_ids: ContextVar[Mapping[str, str]] = ContextVar("log_ids", default=MappingProxyType({}))


class WithIds(logging.Filter):
    """Puts the ids of what is being worked on on each record."""

    def filter(self, record: logging.LogRecord) -> bool:
        for name, value in log_ids.get().items():
            setattr(record, name, value)
        return True


def json_formatter() -> logging.Formatter:
    return JsonFormatter(
        "{asctime}{levelname}{name}{message}",
        style="{",
        rename_fields={"asctime": "at", "levelname": "level", "name": "logger"},
    )


def configure(level: int = logging.INFO) -> None:
    """This process's log lines, in the format LOG_FORMAT names."""
    handler = logging.StreamHandler(sys.stderr)
    json_lines = get_settings().log_format == "json"
    handler.setFormatter(json_formatter() if json_lines else logging.Formatter(TEXT))
    handler.addFilter(WithIds())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in OWN_HANDLERS:
        logger = logging.getLogger(name)
        if logger.handlers:
            logger.handlers[:] = [handler]


@contextmanager
def about(**ids: str) -> Iterator[None]:
    """Lines logged within are about these (action_id, chunk_id, account_id)."""
    token = log_ids.set({**log_ids.get(), **ids})
    try:
        yield
    finally:
        log_ids.reset(token)
