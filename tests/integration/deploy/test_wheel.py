"""What the image does, done here: the package built as a wheel from the sources the Dockerfile
copies, installed into a new virtualenv outside the checkout, then its API and one worker run
from that install (never from the source tree) against the suite's services. The pages the API
serves are package data; without them the dashboard and the playground answer 503."""

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from pymongo import MongoClient

from app.infra.auth import issue_token
from tests.integration.conftest import ROOT, log_file
from tests.integration.graphql_client import GraphQLClient
from tests.support.processes import free_port, stop, wait_ready

# What the Dockerfile copies into the image before `pip install`.
COPIED = ["pyproject.toml", "README.md", "app", "workers", "graphql_schema", "server", "client"]


def run(args: list[str], cwd: Path) -> None:
    done = subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, f"{' '.join(args)}\n{done.stdout}\n{done.stderr}"


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The venv's bin folder, with the wheel built from the sources and installed there."""
    work = tmp_path_factory.mktemp("wheel")
    source = work / "src"
    source.mkdir()
    ignored = shutil.ignore_patterns("node_modules", "__pycache__")  # as .dockerignore
    for name in COPIED:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, source / name, ignore=ignored)
        else:
            shutil.copy(ROOT / name, source / name)
    assert (source / "server" / "dashboard" / "dist" / "app.js").exists(), "dashboard not built"
    run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(work), "."], source)
    wheel = next(work.glob("bulk_actions-*.whl"))
    run([sys.executable, "-m", "venv", str(work / "venv")], work)
    run([str(work / "venv" / "bin" / "pip"), "install", "-q", str(wheel)], work)
    shutil.rmtree(source)
    return work / "venv" / "bin"


def env_outside(database: str) -> dict[str, str]:
    """The suite's settings, its own database and queues, and nothing of the checkout."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["MONGODB_DB"] = database
    env["QUEUE_NAMESPACE"] = f"{os.environ['QUEUE_NAMESPACE']}-wheel"
    env["PATH"] = ":".join(p for p in env["PATH"].split(":") if not p.startswith(str(ROOT)))
    return env


@pytest.fixture
def platform(installed: Path, tmp_path: Path) -> Iterator[str]:
    """The installed API and one worker, run from an empty folder; yields the API's URL."""
    database = f"{os.environ['MONGODB_DB']}_wheel"
    env = env_outside(database)
    port = free_port()
    started = []
    for name, args in [
        ("worker", ["dramatiq", "workers", "--processes", "1", "--threads", "2"]),
        ("api", ["uvicorn", "server.asgi:create_app", "--factory", "--port", str(port)]),
    ]:
        with log_file(f"wheel-{name}").open("wb") as log:
            started.append(
                subprocess.Popen(
                    [str(installed / args[0]), *args[1:]],
                    cwd=tmp_path,
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_ready(f"{url}/health/ready", started[-1], seconds=120)
        yield url
    finally:
        for process in reversed(started):
            stop(process)
        MongoClient(os.environ["MONGODB_URL"]).drop_database(database)


@pytest.mark.slow(1)
def test_the_installed_package_imports_from_its_install(installed: Path, tmp_path: Path) -> None:
    where = subprocess.run(
        [str(installed / "python"), "-c", "import server, app; print(server.__file__)"],
        cwd=tmp_path,
        env=env_outside("unused"),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "site-packages" in where and str(ROOT) not in where, where


async def test_the_installed_platform_serves_its_pages_and_completes_an_action(
    platform: str, account: str
) -> None:
    async with httpx.AsyncClient(base_url=platform) as http:
        for path in ("/dashboard", "/dashboard/app.js", "/dashboard/style.css"):
            assert (await http.get(path)).status_code == 200, path
        playground = await http.get("/graphql", headers={"Accept": "text/html"})
        assert playground.status_code == 200 and "graphiql" in playground.text.lower()
        for asset in ("graphiql.js", "graphiql.css"):
            assert (await http.get(f"/graphiql/{asset}")).status_code == 200, asset
    async with GraphQLClient(platform, issue_token(account)) as gql:
        done = await gql.run(
            entityType="CONTACT",
            actionType="INSERT",
            records=[{"email": f"wheel{n}@example.com"} for n in range(20)],
        )
    assert done["status"] == "COMPLETED"
    assert done["stats"]["succeeded"] == 20
