"""One door to the database: the domain, the engine and the use cases reach MongoDB only
through the stores in app/infra/mongo. A driver call (a collection, a command, a Beanie
query or write) anywhere else fails this test, naming the file and line."""

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GUARDED = ("app/domain", "app/engine", "app/usecases")
# Names only the driver's own objects have.
DRIVER_NAMES = frozenset(
    {
        "get_pymongo_collection",
        "get_motor_collection",
        "AsyncMongoClient",
        "AsyncCollection",
        "AsyncDatabase",
        "AsyncCursor",
        "bulk_write",
        "count_documents",
        "find_one_and_update",
    }
)
DRIVER_MODULES = ("pymongo.asynchronous", "pymongo.collection", "pymongo.database", "motor")
# Beanie's queries and writes, called on a document class or a document.
BEANIE_CALLS = frozenset(
    {
        "get",
        "find",
        "find_one",
        "find_many",
        "find_all",
        "aggregate",
        "insert",
        "insert_one",
        "insert_many",
        "save",
        "replace",
        "delete",
        "delete_all",
        "update",
        "update_many",
        "count",
        "distinct",
        "sync",
        "set",
        "inc",
    }
)


def modules() -> Iterator[Path]:
    for folder in GUARDED:
        yield from sorted((ROOT / folder).rglob("*.py"))


def document_names() -> set[str]:
    """The names of the stored document classes (the models and the entities)."""
    from app.infra.mongo.db import document_models

    return {model.__name__ for model in document_models()}


def driver_calls(path: Path, documents: set[str]) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        where = f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, ast.Attribute | ast.Name):
            name = node.attr if isinstance(node, ast.Attribute) else node.id
            if name in DRIVER_NAMES:
                found.append(f"{where} uses {name}")
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith(DRIVER_MODULES):
            found.append(f"{where} imports {node.module}")
        elif isinstance(node, ast.Import):
            found.extend(
                f"{where} imports {alias.name}"
                for alias in node.names
                if alias.name.startswith(DRIVER_MODULES)
            )
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            receiver, method = node.func.value, node.func.attr
            if (
                isinstance(receiver, ast.Name)
                and receiver.id in documents
                and method in BEANIE_CALLS
            ):
                found.append(f"{where} calls {receiver.id}.{method}")
            elif (
                isinstance(receiver, ast.Call)
                and isinstance(receiver.func, ast.Name)
                and receiver.func.id in documents
                and method in BEANIE_CALLS
            ):
                found.append(f"{where} calls {receiver.func.id}(…).{method}")
    return found


def test_the_domain_engine_and_use_cases_make_no_driver_calls() -> None:
    documents = document_names()
    found = [call for path in modules() for call in driver_calls(path, documents)]
    assert not found, "Reach MongoDB through a store in app/infra/mongo:\n" + "\n".join(found)


@pytest.mark.parametrize(
    "source",
    [
        "async def f():\n    return await BulkAction.get_pymongo_collection().find({}).to_list()\n",
        "async def f():\n    return await Chunk.get('x')\n",
        "async def f():\n    await Webhook(url='u').insert()\n",
        "from pymongo.asynchronous.collection import AsyncCollection\n",
        "async def f(c):\n    await c.bulk_write([])\n",
    ],
    ids=["collection", "beanie-read", "beanie-write", "driver-import", "command"],
)
def test_a_driver_call_is_caught(source: str, tmp_path: Path) -> None:
    """The check above would fail on each of these, were they in a guarded module."""
    path = ROOT / "app" / "domain" / "_probe_for_test.py"
    try:
        path.write_text(source)
        assert driver_calls(path, document_names())
    finally:
        path.unlink()
