"""scripts/services (and so scripts/test and scripts/dev, which share its provisioning) on a
machine as it may be found: a broken `ferretdb` first on PATH, as `go install` of FerretDB
leaves one in GOPATH/bin. It is passed over and named, the services start, twice in a row, and
each run keeps its logs in a folder of its own; a service that fails says why."""

import contextlib
import os
import shutil
import signal
import stat
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from pymongo import MongoClient

from tests.integration.conftest import ROOT, RUN_ID

BROKEN_FERRETDB = """#!/bin/sh
echo 'panic: Invalid build/version/version.txt file content' >&2
exit 2
"""

FAILING_REDIS = """#!/bin/sh
echo 'Fatal: this redis-server is a stand-in that cannot start (marker 7f3a)' >&2
exit 1
"""


def executable(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


@pytest.fixture
def run_dir() -> Iterator[Path]:
    """Under .run, as the scripts' own: PostgreSQL, run as its user, must reach it."""
    folder = ROOT / ".run" / f"test-services-{RUN_ID}"
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def services_env(run_dir: Path, *first_on_path: Path) -> dict[str, str]:
    """The suite's environment less its services: scripts/services starts its own."""
    started = ("MONGODB_URL", "REDIS_URL", "PROMETHEUS_MULTIPROC_DIR", "DATA_DIR", "FERRETDB_BIN")
    env = {k: v for k, v in os.environ.items() if k not in started}
    env["PATH"] = ":".join([*map(str, first_on_path), env["PATH"]])
    env["RUN_DIR"] = str(run_dir)
    return env


def good_ferretdb() -> Path:
    """The FerretDB scripts/test started the suite's database with (it exports which)."""
    found = os.environ.get("FERRETDB_BIN") or ""
    if not found:
        pytest.skip("the suite runs on MONGODB_URL given: no FerretDB of the scripts' to use")
    return Path(found)


@contextlib.contextmanager
def running_services(env: dict[str, str], output: Path) -> Iterator[dict[str, str]]:
    """scripts/services until it has written services.env; stopped with SIGTERM. Yields the
    URLs it wrote."""
    written = Path(env["RUN_DIR"]) / "services.env"
    written.unlink(missing_ok=True)
    with output.open("wb") as sink:
        services = subprocess.Popen(
            [str(ROOT / "scripts" / "services")],
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        # The first start on a new machine builds FerretDB: minutes.
        deadline = time.monotonic() + 900
        while not (written.exists() and written.read_text().count("\n") == 2):
            assert services.poll() is None, output.read_text()
            assert time.monotonic() < deadline, output.read_text()
            time.sleep(0.2)
        yield dict(line.split("=", 1) for line in written.read_text().splitlines())
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(services.pid, signal.SIGTERM)
        services.wait(timeout=60)


def test_services_start_twice_with_a_broken_ferretdb_first_on_path(
    run_dir: Path, tmp_path: Path
) -> None:
    """No project build yet (an empty tools folder), a broken `ferretdb` first on PATH and a
    good one after it: the broken one is named and passed over, the good one used."""
    broken = executable(tmp_path / "broken", "ferretdb", BROKEN_FERRETDB)
    (tmp_path / "good").mkdir()
    (tmp_path / "good" / "ferretdb").symlink_to(good_ferretdb())
    env = services_env(run_dir, broken.parent, tmp_path / "good")
    env["BULK_TOOLS_DIR"] = str(tmp_path / "tools")
    for attempt in (1, 2):
        output = tmp_path / f"services-{attempt}.out"
        with running_services(env, output) as urls:
            client: MongoClient[dict[str, Any]]
            with MongoClient(urls["MONGODB_URL"], serverSelectionTimeoutMS=10_000) as client:
                assert client.admin.command("ping")["ok"] == 1
            assert redis.Redis.from_url(urls["REDIS_URL"]).ping()
        said = output.read_text()
        assert f"not using {broken}: it is not FerretDB" in said, said
        assert f"using FerretDB at {tmp_path / 'good' / 'ferretdb'}" in said, said
        assert not (tmp_path / "tools").exists(), "nothing was to be built"

    # Each run kept its own logs; their throwaway data went when they stopped.
    runs = sorted((run_dir / "runs").iterdir())
    assert len(runs) == 2
    for run in runs:
        assert (run / "logs" / "ferretdb.log").exists()
        assert (run / "logs" / "redis.log").exists()
        assert not (run / "scratch").exists()


def test_a_service_that_fails_to_start_says_why(run_dir: Path, tmp_path: Path) -> None:
    failing = executable(tmp_path / "bin", "redis-server", FAILING_REDIS)
    env = services_env(run_dir, failing.parent)
    done = subprocess.run(
        [str(ROOT / "scripts" / "services")],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    assert "Redis exited before listening" in done.stderr, done.stderr
    assert "cannot start (marker 7f3a)" in done.stderr, done.stderr
