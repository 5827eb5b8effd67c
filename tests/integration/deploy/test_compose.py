"""docker-compose.yml as Docker Compose reads it, with no engine here: loaded by compose-go,
the parser Docker Compose itself uses (schema, interpolation, references), through a small Go
program beside this file."""

import os
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.integration.conftest import ROOT

CHECKER = Path(__file__).resolve().parent / "composecheck"


@pytest.fixture(scope="module")
def composecheck(tmp_path_factory: pytest.TempPathFactory) -> Path:
    built = tmp_path_factory.mktemp("composecheck") / "composecheck"
    done = subprocess.run(
        ["go", "build", "-o", str(built), "."],
        cwd=CHECKER,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    return built


def check(composecheck: Path, path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(composecheck), str(path)],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_docker_compose_yml_is_valid(composecheck: Path) -> None:
    done = check(composecheck, ROOT / "docker-compose.yml", JWT_SECRET="s" * 40)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["[api", "mongo", "redis", "worker]"]


def test_the_check_refuses_what_compose_would(composecheck: Path, tmp_path: Path) -> None:
    """A misspelt key and a missing required setting fail, as `docker compose up` would."""
    text = (ROOT / "docker-compose.yml").read_text()
    misspelt = tmp_path / "docker-compose.yml"
    misspelt.write_text(text.replace("depends_on:", "depend_on:", 1))
    assert check(composecheck, misspelt, JWT_SECRET="s" * 40).returncode != 0
    unset = {k: v for k, v in os.environ.items() if k != "JWT_SECRET"}
    done = subprocess.run(
        [str(composecheck), str(ROOT / "docker-compose.yml")],
        env=unset,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0 and "JWT_SECRET" in done.stderr


def test_redis_keeps_its_data_across_a_restart() -> None:
    """Redis holds the queues, the accounts' limits and each planning's seen keys: restarted
    without them, messages wait for the sweeper and a repeated key may be written twice. So
    it appends every write to a file on a volume, as scripts/dev does with DATA_DIR."""
    redis = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]["redis"]
    command = redis["command"]
    assert command[command.index("--appendonly") + 1] == "yes"
    assert any(volume.endswith(":/data") for volume in redis["volumes"])
