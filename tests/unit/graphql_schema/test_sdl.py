"""The committed schema.graphql is the schema the code serves."""

from pathlib import Path

from graphql_schema.schema import sdl

SCHEMA_FILE = Path(__file__).resolve().parents[3] / "schema.graphql"


def test_committed_sdl_matches_the_code() -> None:
    assert SCHEMA_FILE.read_text() == sdl(), (
        "schema.graphql is stale: run `.venv/bin/python -m graphql_schema.schema > schema.graphql`"
    )
