"""The schema as graphql-schema-linter (npm, run with Node) checks it: Relay's connection,
argument and PageInfo rules, and a description on every type, field, argument, input value
and enum value, so GraphiQL's docs pane explains the whole API. The rules are listed in
tests/conformance/package.json."""

import json
import subprocess

import pytest

from graphql_schema.schema import sdl
from tests.integration.conftest import ROOT

pytestmark = pytest.mark.conformance

CONFORMANCE = ROOT / "tests" / "conformance"
LINTER = CONFORMANCE / "node_modules" / ".bin" / "graphql-schema-linter"


def lint(schema: str) -> list[str]:
    ran = subprocess.run(
        [str(LINTER), "--stdin", "--format", "json", "--config-directory", str(CONFORMANCE)],
        input=schema,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert ran.returncode in (0, 1), ran.stderr  # 1: the schema has errors
    return [f"{e['rule']}: {e['message']}" for e in json.loads(ran.stdout)["errors"]]


def test_the_schema_passes_the_relay_and_description_rules() -> None:
    assert lint(sdl()) == []


def test_the_linter_would_see_a_missing_description() -> None:
    undocumented = sdl().replace('"""Where an action is in its life."""\n', "")
    assert lint(undocumented) == [
        "types-have-descriptions: The enum type `BulkActionStatus` is missing a description."
    ]
