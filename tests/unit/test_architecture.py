"""The import rules of pyproject.toml's [tool.importlinter] contracts hold: the API and the
workers call the application; the engine and the use cases never call each other; the
infrastructure serves them; the domain imports nothing of the platform above it."""

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_import_contracts_are_kept() -> None:
    linter = Path(sys.executable).with_name("lint-imports")
    checked = subprocess.run(
        [str(linter), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert checked.returncode == 0, checked.stdout[-3000:] + checked.stderr[-2000:]
    assert "0 broken" in checked.stdout


def test_tests_import_nothing_from_the_benchmarks() -> None:
    """Shared test support lives in tests/support; the benchmarks may use it, not the reverse."""
    importers = []
    for path in sorted((ROOT / "tests").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            names = (
                [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else [alias.name for alias in node.names]
                if isinstance(node, ast.Import)
                else []
            )
            if any(name == "bench" or name.startswith("bench.") for name in names):
                importers.append(f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', 0)}")
    assert importers == []


def test_no_folder_holds_more_than_twelve_modules() -> None:
    """Small folders, each about one thing: a thirteenth module means a new folder."""
    crowded = {}
    for top in ("app", "graphql_schema", "workers", "server"):
        for folder in [ROOT / top, *(ROOT / top).rglob("*")]:
            if folder.is_dir() and "node_modules" not in folder.parts:
                modules = list(folder.glob("*.py"))
                if len(modules) > 12:
                    crowded[str(folder.relative_to(ROOT))] = len(modules)
    assert crowded == {}
