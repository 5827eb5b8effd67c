"""Background load for benchmarks: processes that keep the database busy meanwhile."""

import multiprocessing
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from multiprocessing.sharedctypes import Synchronized
from typing import Any

from pymongo import MongoClient


def hammer(url: str, stop: Any, written: "Synchronized[int]") -> None:
    """Inserts, reads back and deletes batches of 1,000 documents until told to stop."""
    client: MongoClient[dict[str, Any]] = MongoClient(url)
    collection = client[f"load_{os.getpid()}"]["rows"]
    try:
        while not stop.is_set():
            batch = [{"n": n, "text": "x" * 200} for n in range(1000)]
            collection.insert_many(batch)
            list(collection.find({"n": {"$gte": 500}}))
            collection.delete_many({})
            with written.get_lock():
                written.value += len(batch)
    finally:
        client.drop_database(collection.database.name)


@contextmanager
def database_load(processes: int) -> Iterator[Any]:
    """Runs `processes` hammers for the duration; yields a counter of the rows they wrote."""
    stop = multiprocessing.Event()
    written: Synchronized[int] = multiprocessing.Value("q", 0)
    url = os.environ["MONGODB_URL"]
    workers = [
        multiprocessing.Process(target=hammer, args=(url, stop, written), daemon=True)
        for _ in range(processes)
    ]
    for worker in workers:
        worker.start()
    started = time.monotonic()
    try:
        yield lambda: written.value / max(time.monotonic() - started, 1e-9)
    finally:
        stop.set()
        for worker in workers:
            worker.join(timeout=30)
