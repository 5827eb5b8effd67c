"""Prometheus metrics: the ones every process counts, and the text a scrape reads.

Workers are separate processes (Dramatiq forks them), so with `PROMETHEUS_MULTIPROC_DIR` set
every process writes its samples to files there and a scrape of the API adds them up, as
prometheus_client documents for multi-process servers (docker-compose gives the API and the
workers one volume for it). Without it, a process exposes only its own. Labels are bounded:
outcome, status, the schema's operation names; never an account or an action id.
"""

import contextlib
import glob
import os
import socket
from collections.abc import Iterable

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
    values,
)
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector

if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    # Files named by host and process: containers sharing the directory (docker-compose's
    # API and workers) may reuse each other's process ids.
    values.ValueClass = values.MultiProcessValue(  # type: ignore[no-untyped-call]
        lambda: f"{socket.gethostname()}-{os.getpid()}"
    )

ROWS = Counter(
    "bulk_rows_processed",
    "Rows given their outcome, by outcome (SUCCESS, FAILED, SKIPPED).",
    ["outcome"],
)
CHUNK_SECONDS = Histogram(
    "bulk_chunk_duration_seconds",
    "Time to process one chunk (decide, write, log), from its delivery to its logs.",
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120),
)
RATE_LIMIT_WAITS = Counter(
    "bulk_rate_limit_waits", "Chunks sent back to wait for their account's rate limit."
)
RATE_LIMIT_WAIT_SECONDS = Histogram(
    "bulk_rate_limit_wait_seconds",
    "How long a chunk waits for its booked time under its account's rate limit.",
    buckets=(0.1, 1, 5, 15, 30, 60, 120, 300, 900),
)
ACTIONS_ENDED = Counter(
    "bulk_actions_ended", "Actions that reached a final status, by status.", ["status"]
)
API_SECONDS = Histogram(
    "bulk_api_request_duration_seconds",
    "GraphQL operations answered by the API, by operation (type and root field).",
    ["operation"],
)

LIVE_SUBSCRIBERS = Gauge(
    "bulk_live_subscribers",
    "Subscriptions to live progress open, on every API process together.",
    multiprocess_mode="livesum",
)

CONTENT_TYPE = CONTENT_TYPE_LATEST


class ProcessFiles(Collector):
    """Every process's samples from its file in the multiprocess folder, as prometheus_client's
    MultiProcessCollector reads them, less files still empty: a process creates its file and
    only then sizes it, and a scrape in between read the empty file as corrupt and failed
    whole (prometheus/client_python#1199). An empty file holds nothing yet; one that goes
    while listed is a process that ended."""

    def __init__(self, folder: str) -> None:
        self.folder = folder

    def collect(self) -> Iterable[Metric]:
        files = []
        for path in glob.glob(os.path.join(self.folder, "*.db")):
            with contextlib.suppress(FileNotFoundError):
                if os.path.getsize(path) > 0:
                    files.append(path)
        merge = multiprocess.MultiProcessCollector.merge
        merged: Iterable[Metric] = merge(files, accumulate=True)  # type: ignore[no-untyped-call]
        return merged


class Computed(Collector):
    """Metrics worked out at scrape time (from the database, Redis, the API's own state)."""

    def __init__(self, metrics: Iterable[Metric]) -> None:
        self.metrics = list(metrics)

    def collect(self) -> Iterable[Metric]:
        return self.metrics


def exposition(computed: Iterable[Metric] = ()) -> bytes:
    """The text of a scrape: every process's samples (or this one's), and `computed`."""
    if folder := os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        registry.register(ProcessFiles(folder))
    else:
        registry = REGISTRY
    scrape = CollectorRegistry()
    scrape.register(Computed([*registry.collect(), *computed]))
    return generate_latest(scrape)
