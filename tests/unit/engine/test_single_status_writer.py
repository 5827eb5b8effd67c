"""`app.engine.lifecycle.transition` is the only code that writes an action's status: through
the actions store's `move`, which it alone calls."""

import ast
import re
from pathlib import Path

APP = Path(__file__).resolve().parents[3] / "app"
LIFECYCLE = APP / "engine" / "lifecycle.py"
ACTIONS_STORE = APP / "infra" / "mongo" / "actions.py"
# A `$set` (or `$unset`) whose document names the `status` field.
STATUS_WRITE = re.compile(r"""["']\$(?:un)?set["']\s*:\s*\{[^}]*["']status["']""", re.DOTALL)
# A document of changes that names the `status` field (what the store's update sets).
STATUS_CHANGE = re.compile(r"""["']status["']\s*:\s*str\(""")
MOVE_CALL = re.compile(r"""\bactions\.move\(""")


def test_no_module_but_the_actions_store_sets_a_status() -> None:
    writers = [
        str(path.relative_to(APP.parent))
        for path in APP.rglob("*.py")
        if path != ACTIONS_STORE and STATUS_WRITE.search(path.read_text())
    ]
    assert writers == []


def test_the_store_sets_a_status_only_in_move() -> None:
    tree = ast.parse(ACTIONS_STORE.read_text())
    setters = [
        node.name
        for node in tree.body
        if isinstance(node, ast.AsyncFunctionDef | ast.FunctionDef)
        and STATUS_CHANGE.search(source := ast.unparse(node))
        and "update" in source  # a write, not a query that names a status
    ]
    assert setters == ["move"]


def test_only_the_lifecycle_moves_an_action() -> None:
    callers = [
        str(path.relative_to(APP.parent))
        for path in APP.rglob("*.py")
        if MOVE_CALL.search(path.read_text())
    ]
    assert callers == ["app/engine/lifecycle.py"]


def test_the_patterns_find_a_status_write() -> None:
    assert STATUS_WRITE.search('{"$set": {"done": True, "status": "FAILED"}}')
    assert STATUS_CHANGE.search('{"status": str(to), **fields}')
    assert MOVE_CALL.search(LIFECYCLE.read_text())
