"""Recovery benchmark: kill -9 every worker process half-way through an action, start new
ones at once, and print how long until progress resumes and until the action ends, beside
how long the same amount of work took before the kill.

Run it through bench/recovery, which starts the services like scripts/test does.
"""

import argparse
import os
import signal
import subprocess
import time
from typing import Any

from bench.platform import Platform, graphql, wait_done
from tests.support.contacts_csv import lines

CREATE = "mutation($i: CreateBulkActionInput!) { createBulkAction(input: $i) { id } }"
PROGRESS = "query($id: ID!) { bulkAction(id: $id) { status stats { processed total } } }"


def processed(client: Any, action_id: str) -> tuple[str, int, int]:
    action = graphql(client, PROGRESS, id=action_id)["bulkAction"]
    return action["status"], action["stats"]["processed"], action["stats"]["total"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("rows", type=int, nargs="?", default=50_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    content = "".join(lines(args.rows, duplicates=0.0, bad=0.0)).encode()
    lifted = {"RATE_LIMIT_PER_MINUTE": "100000000"}  # the work, not the pacing, is measured
    with (
        Platform(args.workers, args.threads, **lifted) as platform,
        platform.client("bench") as client,
    ):
        created = time.monotonic()
        uploaded = client.post("/uploads", content=content).json()
        given = {"entityType": "CONTACT", "actionType": "INSERT", "uploadId": uploaded["uploadId"]}
        action_id = graphql(client, CREATE, i=given)["createBulkAction"]["id"]
        half = args.rows // 2
        while (done := processed(client, action_id)[1]) < half:
            time.sleep(0.2)
        before = time.monotonic() - created
        for pid in platform.worker_pids():
            os.kill(pid, signal.SIGKILL)
        os.kill(platform.worker.pid, signal.SIGKILL)
        platform.worker.wait()
        killed = time.monotonic()
        worker_args = ["workers", "--processes", str(args.workers), "--threads", str(args.threads)]
        platform.worker = platform.start(["dramatiq", *worker_args], stderr=subprocess.DEVNULL)
        resumed = None
        while True:
            status, now, total = processed(client, action_id)
            if resumed is None and now > done:
                resumed = time.monotonic() - killed
            if status in {"COMPLETED", "COMPLETED_WITH_ERRORS", "FAILED", "CANCELLED"}:
                break
            time.sleep(0.2)
        finished = time.monotonic() - killed
        final = wait_done(client, action_id)
    print(f"rows: {args.rows:,}; action {action_id}: {final['status']}")
    print(f"before the kill: {before:.1f} s to reach {done:,} of {total:,} rows")
    print(f"kill -9 of every worker process at {done / total:.0%}, new workers started at once")
    print(f"time to resume (first new progress): {resumed:.1f} s")
    print(f"time to finish after the kill: {finished:.1f} s")
    stats = final["stats"]
    exact = stats["processed"] == stats["total"] == args.rows
    print(f"counts exact: {exact} ({stats['processed']:,} processed of {stats['total']:,})")


if __name__ == "__main__":
    main()
