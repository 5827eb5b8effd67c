"""The platform's processes for a benchmark: API and workers on a database of their own."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx
import jwt
from pymongo import MongoClient

from tests.support.processes import children, free_port, stop, wait_ready

ROOT = Path(__file__).resolve().parent.parent
TERMINAL = {"COMPLETED", "COMPLETED_WITH_ERRORS", "FAILED", "CANCELLED"}


class Platform:
    """Starts the API (as API_PROCESSES processes, one unless the settings say) and `workers`
    x `threads` workers; stops them and drops the database."""

    def __init__(self, workers: int = 2, threads: int = 4, **settings: str) -> None:
        self.api_processes = int(settings.pop("API_PROCESSES", "1"))
        name = f"bench_{uuid.uuid4().hex[:6]}"
        self.env = {
            **os.environ,
            "MONGODB_DB": name,
            "QUEUE_NAMESPACE": name,
            "JWT_SECRET": os.environ.get("JWT_SECRET", "bench-secret-0123456789abcdef0123456789"),
            **settings,
        }
        self.workers, self.threads = workers, threads
        self.base = f"http://127.0.0.1:{free_port()}"

    def __enter__(self) -> "Platform":
        port = self.base.rsplit(":", 1)[1]
        api_args = ["uvicorn", "server.asgi:create_app", "--factory", "--port", port]
        if self.api_processes > 1:
            api_args += ["--workers", str(self.api_processes)]
        self.api = self.start([*api_args, "--log-level", "warning"])
        worker_args = ["workers", "--processes", str(self.workers), "--threads", str(self.threads)]
        log = (ROOT / ".run" / "bench-workers.log").open("wb")
        self.worker = self.start(["dramatiq", *worker_args], stderr=log)
        wait_ready(f"{self.base}/health/ready", self.api)
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        stop(self.api)
        stop(self.worker)
        MongoClient(self.env["MONGODB_URL"]).drop_database(self.env["MONGODB_DB"])

    def start(self, args: list[str], stderr: Any = None) -> subprocess.Popen[bytes]:
        # A session of its own: stopped with every process it starts (tests.support.processes).
        return subprocess.Popen(
            [sys.executable, "-m", *args],
            cwd=ROOT,
            env=self.env,
            stderr=stderr,
            start_new_session=True,
        )

    def token(self, account: str, role: str = "user") -> str:
        # Signed with the processes' secret: this process's own settings may differ.
        now = int(time.time())
        claims = {"sub": account, "role": role, "iat": now, "exp": now + 24 * 3600}
        return jwt.encode(claims, self.env["JWT_SECRET"], algorithm="HS256")

    def client(self, account: str, role: str = "user") -> httpx.Client:
        headers = {"Authorization": f"Bearer {self.token(account, role)}"}
        return httpx.Client(base_url=self.base, headers=headers, timeout=600)

    def worker_pids(self) -> list[int]:
        return children(self.worker.pid)

    def api_pids(self) -> list[int]:
        """The API's process and, when it runs as several, the processes it started."""
        return [self.api.pid, *children(self.api.pid)]


def graphql(client: httpx.Client, query: str, **variables: Any) -> dict[str, Any]:
    body: dict[str, Any] = client.post(
        "/graphql", json={"query": query, "variables": variables}
    ).json()
    if body.get("errors"):
        raise RuntimeError(body["errors"])
    data: dict[str, Any] = body["data"]
    return data


STATUS = """
query($id: ID!) {
  bulkAction(id: $id) {
    status error finishedAt stats { total processed succeeded failed skipped }
  }
}
"""


def wait_done(client: httpx.Client, action_id: str, poll: float = 0.5) -> dict[str, Any]:
    while True:
        action: dict[str, Any] = graphql(client, STATUS, id=action_id)["bulkAction"]
        if action["status"] in TERMINAL:
            return action
        time.sleep(poll)
