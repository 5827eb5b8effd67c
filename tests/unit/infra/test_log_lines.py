"""LOG_FORMAT=json: one JSON object per line, with the ids of what is being worked on."""

import json
import logging
from collections.abc import Iterator

import pytest
from dramatiq import Message

from app.infra import log_lines
from app.infra.redis import tasks
from app.infra.settings import get_settings
from workers.log_context import ids_of


@pytest.fixture
def logging_restored() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:], root.level = handlers, level
    get_settings.cache_clear()


def test_json_lines_carry_the_ids(
    logging_restored: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LOG_FORMAT", "json")
    get_settings.cache_clear()
    log_lines.configure()
    with log_lines.about(action_id="a1", chunk_id="a1:0"), log_lines.about(account_id="acct"):
        logging.getLogger("app.test").warning("chunk %s slow", "a1:0")
    logging.getLogger("app.test").info("after")
    first, second = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    assert first["message"] == "chunk a1:0 slow"
    assert (first["level"], first["logger"]) == ("WARNING", "app.test")
    assert (first["action_id"], first["chunk_id"], first["account_id"]) == ("a1", "a1:0", "acct")
    assert "at" in first
    assert "action_id" not in second


def test_text_lines_by_default(
    logging_restored: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("LOG_FORMAT", raising=False)
    get_settings.cache_clear()
    log_lines.configure()
    logging.getLogger("app.test").warning("plain")
    assert capsys.readouterr().err.rstrip().endswith("WARNING app.test: plain")


def test_a_message_names_its_action_and_chunk() -> None:
    def message(actor: str, *args: str) -> Message[None]:
        return Message(queue_name="q", actor_name=actor, args=args, kwargs={}, options={})

    chunk = message(tasks.PROCESS_CHUNK, "65f0:3/1")
    assert ids_of(chunk) == {"action_id": "65f0", "chunk_id": "65f0:3/1"}  # type: ignore[arg-type]
    plan = message(tasks.PLAN_ACTION, "65f0")
    assert ids_of(plan) == {"action_id": "65f0"}  # type: ignore[arg-type]
