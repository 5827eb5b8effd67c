"""docs/settings.md lists every setting of app/infra/settings.py with its default, and no
setting that is not there: the reference cannot drift from the class."""

import json
import re
from pathlib import Path
from typing import Any

from app.infra.settings import Settings

PAGE = Path(__file__).resolve().parents[3] / "docs" / "settings.md"
ROW = re.compile(r"^\| `([A-Z0-9_]+)` \| ([^|]+) \|")


def documented() -> dict[str, str]:
    """The settings tables' rows (those before the scripts' own variables): name → default."""
    platform = PAGE.read_text().split("## Read by the scripts")[0]
    return {m[1]: m[2].strip() for line in platform.splitlines() if (m := ROW.match(line))}


def shown(value: Any) -> str:
    """A default as the page writes it."""
    if value == "":
        return "—"
    if value is None:
        return "(none)"
    if isinstance(value, list):
        return f"`{json.dumps(value)}`"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"`{value}`"


def test_every_setting_is_documented_with_its_default() -> None:
    rows = documented()
    fields = {
        name.upper(): field.get_default(call_default_factory=True)
        for name, field in Settings.model_fields.items()
    }
    assert sorted(set(fields) - set(rows)) == [], "settings missing from docs/settings.md"
    assert sorted(set(rows) - set(fields)) == [], "docs/settings.md names settings that are gone"
    wrong = {name: (rows[name], shown(default)) for name, default in fields.items()}
    assert {k: v for k, v in wrong.items() if v[0] != v[1]} == {}


def test_the_check_reads_the_page() -> None:
    """The parser finds the tables (a page it could not read would pass the test above only if
    Settings were empty, but say so plainly)."""
    assert len(documented()) == len(Settings.model_fields) > 40
