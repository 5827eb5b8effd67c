"""Every Redis name is built in app.infra.redis.keys, under the deployment's namespace."""

import inspect
import re
from pathlib import Path

import pytest

from app.infra.redis import keys
from app.infra.settings import get_settings

APP = Path(__file__).resolve().parents[3] / "app"


def names() -> dict[str, str]:
    built = {}
    for name, function in inspect.getmembers(keys, inspect.isfunction):
        if function.__module__ != keys.__name__ or name == "namespace":
            continue
        parameters = inspect.signature(function, eval_str=True).parameters.values()
        required = [p for p in parameters if p.default is inspect.Parameter.empty]
        built[name] = function(*[7 if p.annotation is int else "some-id" for p in required])
    return built


def test_every_name_is_under_the_namespace_and_distinct(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QUEUE_NAMESPACE", "tenant-7")
    get_settings.cache_clear()
    try:
        built = names()
        assert built, "keys.py builds no names"
        assert all(value.startswith("tenant-7:") for value in built.values()), built
        assert len(set(built.values())) == len(built), built
    finally:
        get_settings.cache_clear()


def test_no_other_module_spells_a_key_from_the_namespace() -> None:
    spelled = re.compile(r"(queue_namespace|namespace\(\))\}:")
    offenders = [
        str(path.relative_to(APP.parent))
        for path in APP.rglob("*.py")
        if path.name != "keys.py" and spelled.search(path.read_text())
    ]
    assert offenders == []
