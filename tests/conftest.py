"""The suite's order: files holding a `slow` test first, the longest first.

scripts/test hands whole files to its pytest processes in collection order
(`--dist loadfile --no-loadscope-reorder`). Starting the longest files first lets the short
ones fill in beside them, so the processes finish together instead of one running a
four-minute file alone at the end. `@pytest.mark.slow(minutes)` says about how long the
test runs on a loaded 2-core machine.
"""

from pathlib import Path

import pytest


def minutes_of(item: pytest.Item) -> float:
    marker = item.get_closest_marker("slow")
    return float(marker.args[0]) if marker and marker.args else 0.0


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    by_file: dict[Path, float] = {}
    for item in items:
        by_file[item.path] = by_file.get(item.path, 0.0) + minutes_of(item)
    items.sort(key=lambda item: -by_file[item.path])  # stable: the order is kept within
