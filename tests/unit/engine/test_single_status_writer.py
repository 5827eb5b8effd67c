"""`app.engine.lifecycle.transition` is the only code that writes an action's status."""

import re
from pathlib import Path

APP = Path(__file__).resolve().parents[3] / "app"
LIFECYCLE = APP / "engine" / "lifecycle.py"
# A `$set` (or `$unset`) whose document names the `status` field.
STATUS_WRITE = re.compile(r"""["']\$(?:un)?set["']\s*:\s*\{[^}]*["']status["']""", re.DOTALL)


def test_no_module_but_the_lifecycle_sets_a_status() -> None:
    writers = [
        str(path.relative_to(APP.parent))
        for path in APP.rglob("*.py")
        if path != LIFECYCLE and STATUS_WRITE.search(path.read_text())
    ]
    assert writers == []


def test_the_pattern_finds_a_status_write() -> None:
    assert STATUS_WRITE.search('{"$set": {"done": True, "status": "FAILED"}}')
    assert STATUS_WRITE.search(LIFECYCLE.read_text().replace('"status": str(to)', '"status": 1'))
