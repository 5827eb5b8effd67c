"""What the connection learns of the server it reached: FerretDB says so in buildInfo, and its
`explain` says whether it finds a list of ids by its index (the scripts' build does, FerretDB
v1.24.2 as released does not); mongod is asked nothing more."""

from typing import Any

import pytest
from pymongo.errors import OperationFailure

from app.infra.mongo import db, entities


class Server:
    """A database that answers `buildInfo` and `explain` as told."""

    def __init__(self, build_info: dict[str, Any], explained: dict[str, Any] | None) -> None:
        self.build_info = build_info
        self.explained = explained
        self.asked: list[str] = []

    async def command(self, name: str, spec: Any = None) -> dict[str, Any]:
        self.asked.append(name)
        if name == "buildInfo":
            return self.build_info
        if self.explained is None:
            raise OperationFailure("explain is not allowed here", code=13)
        return self.explained


FERRETDB = {"version": "7.0.77", "ferretdbVersion": "v1.24.2", "versionArray": [7, 0, 77, 0]}
MONGOD = {"version": "7.0.14", "versionArray": [7, 0, 14, 0]}


async def learnt(server: Server, monkeypatch: pytest.MonkeyPatch) -> db.ServerTraits:
    monkeypatch.setattr(db, "_traits", db.MONGOD)
    monkeypatch.setattr(db, "_version", db._version)
    await db.learn_server(server)  # type: ignore[arg-type]
    await db.learn_id_lists(server)  # type: ignore[arg-type]
    return db.traits()


async def test_the_scripts_ferretdb_takes_mongods_paths_for_lists_of_ids(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    server = Server(FERRETDB, {"filterPushdown": True, "queryPlanner": {}})
    assert await learnt(server, monkeypatch) is db.FERRETDB_V1_PATCHED
    assert db.is_ferretdb()
    assert entities.writes_by_id_lists()


@pytest.mark.parametrize(
    "explained", [{"filterPushdown": False, "queryPlanner": {}}, None], ids=["says", "refuses"]
)
async def test_ferretdb_as_released_updates_targets_one_by_one(
    monkeypatch: pytest.MonkeyPatch, explained: dict[str, Any] | None
) -> None:
    server = Server(FERRETDB, explained)
    assert await learnt(server, monkeypatch) is db.FERRETDB_V1
    assert db.is_ferretdb()
    assert not entities.writes_by_id_lists()


async def test_mongod_is_asked_nothing_more(monkeypatch: pytest.MonkeyPatch) -> None:
    server = Server(MONGOD, None)
    assert await learnt(server, monkeypatch) is db.MONGOD
    assert server.asked == ["buildInfo"]
    assert not db.is_ferretdb()
    assert entities.writes_by_id_lists()
