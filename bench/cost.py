"""Cost benchmark: what each row costs the platform, the database and Redis, in one run.

For a clean contact CSV (ROWS rows) inserted, then the same contacts updated by id (an uploaded
CSV of ids) twice: a value of its own each row (one update a target, as the floor's), then one
same value in every row (its targets go as one update_many a chunk where the server finds a
list of ids by its index), against raw PyMongo floors on the same server in the same run (the
same contacts as the platform stores them, into a collection with the platform's indexes; one
client, and as many concurrent writers as the platform has writes under way; those writers
again with PyMongo's asynchronous client, the platform's own driver, which costs more CPU a
command than the synchronous one: the platform's CPU against them is what it adds to its
driver's cost), prints: wall
rows/s; CPU µs per row of the platform's own processes (API and every worker process,
utime+stime from /proc, before and after; the command monitor's own time taken out) or of the
floor's clients; CPU µs per row of the database server's processes (FerretDB and PostgreSQL, or
mongod); MongoDB commands per 1,000 rows and bytes sent per row (PyMongo command monitoring in
the platform's processes: bench/monitor); Redis commands per 1,000 rows, in all and by name
(the server's counters), Redis CPU per row and the Redis memory the action added at its peak
(INFO, sampled); what the platform spends at rest (heartbeats, queue polling) over as long as
each run, and against a raw asynchronous client connected and idle beside it. Each run, floor
or platform, starts with the database at rest (`database_at_rest`), and each UPDATE with its
table's statistics on FerretDB (`with_statistics`). Each insert floor is measured
`--floor-runs` times (3), each of its figures the median; the platform's INSERT `--insert-runs`
times (3), each from an account of its own, its figures the median run's (the UPDATE then
updates the first run's contacts among the others'); with --profile, the workers' top costs
(py-spy, samples holding the GIL). With BENCH_TRACE=FILE, every command the platform sends is
also written to FILE with the calls that sent it.

Run it through bench/cost, which starts the services like scripts/test does.
"""

import argparse
import asyncio
import csv
import gc
import io
import json
import multiprocessing
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import bson
import redis
import uvloop
from bson import ObjectId
from pymongo import AsyncMongoClient, MongoClient, UpdateOne

from app.infra.mongo.db import FERRETDB_V1, ferretdb_says
from bench.platform import ROOT, Platform, graphql, wait_done
from tests.support.contacts_csv import lines
from tests.support.processes import cpu_seconds

CREATE = "mutation($i: CreateBulkActionInput!) { createBulkAction(input: $i) { id } }"
ACCOUNT = "bench-cost"
DATABASE_PROCESSES = ("ferretdb", "postgres", "mongod")
BATCH = 1000
ENTITY_COLLECTIONS = ("contacts", "companies", "leads")
# Rows of the chunks the platform makes here (its default chunk size).
CHUNK_ROWS = 1000
# How long after an action's end its processes' CPU is still counted.
SETTLE_SECONDS = 2.0


@dataclass
class Figures:
    """One measured run: rows, seconds, CPU seconds of whose processes, and counts."""

    name: str
    rows: int = 0
    seconds: float = 0.0  # the work's own time (a platform run: to its action's end)
    window: float = 0.0  # how long the CPU was measured for
    own_cpu: float = 0.0
    database_cpu: float = 0.0
    commands: Counter[str] = field(default_factory=Counter)
    sent: Counter[str] = field(default_factory=Counter)  # bytes, by command
    # The mean BSON size of the entity documents the run stored (0: not measured).
    entity_bytes: float = 0.0
    redis_commands: int = 0
    redis_by_command: Counter[str] = field(default_factory=Counter)
    redis_peak_bytes: int = 0
    redis_cpu: float = 0.0
    chunks: int = 0
    # What the platform's processes spend at rest (heartbeats, queue polling) over as long.
    idle_cpu: float = 0.0
    idle_redis_commands: float = 0.0
    # Of the platform's CPU and commands, the API's: the upload, and answering a client's
    # progress polls (one a second here).
    api_cpu: float = 0.0
    api_commands: Counter[str] = field(default_factory=Counter)

    def line(self, whose: str) -> str:
        per_row = 1e6 / max(self.rows, 1)
        text = (
            f"{self.name}: {self.rows:,} rows in {self.seconds:.1f}s = "
            f"{self.rows / self.seconds:,.0f} rows/s; {whose} CPU {self.own_cpu * per_row:,.0f}"
            f" µs/row"
        )
        if self.idle_cpu:
            text += (
                f" ({(self.own_cpu - self.idle_cpu) * per_row:,.0f} net of"
                f" {self.idle_cpu * per_row:,.0f} spent at rest over as long; the API"
                f" {self.api_cpu * per_row:,.0f}, the workers"
                f" {(self.own_cpu - self.api_cpu) * per_row:,.0f})"
            )
        text += f"; database CPU {self.database_cpu * per_row:,.0f} µs/row"
        if self.commands:
            total = sum(self.commands.values())
            workers = self.commands - self.api_commands
            top = ", ".join(f"{name} {count:,}" for name, count in workers.most_common(12))
            # FerretDB gets a chunk's entity updates in commands of a few statements
            # (app.infra.mongo.entities); mongod gets one command per chunk.
            split = sum(
                count
                for name, count in self.commands.items()
                if name.startswith("update ") and name.split()[1] in ENTITY_COLLECTIONS
            )
            # And it reads a chunk's byte range of its upload one GridFS chunk at a time
            # (app.infra.files.reading); mongod, with one query.
            ranged = self.commands.get("find uploads.chunks", 0)
            as_mongod = total - split + min(split, self.chunks) - ranged + min(ranged, self.chunks)
            api = self.api_commands.total()
            text += (
                f"\n    MongoDB commands {total * 1000 / self.rows:,.1f} per 1,000 rows; of"
                f" the workers {(total - api) * 1000 / self.rows:,.1f}"
                f" ({(as_mongod - api) * 1000 / self.rows:,.1f} with one entity"
                f" update command and one read of its upload's bytes per chunk, as on"
                f" mongod): {top}"
                f"\n    {self.sent_line()}"
                f"\n    Redis commands {self.redis_commands * 1000 / self.rows:,.1f} per 1,000"
                f" rows ({(self.redis_commands - self.idle_redis_commands) * 1000 / self.rows:,.1f}"
                " net of those at rest over as long; Redis counts those its scripts run);"
                f" Redis CPU {self.redis_cpu * per_row:,.1f} µs/row;"
                f" Redis memory at the action's peak +{self.redis_peak_bytes / 1e6:,.1f} MB;"
                f" by command: {self.redis_top()}"
            )
        return text

    def redis_top(self) -> str:
        return ", ".join(
            f"{name} {count * 1000 / self.rows:,.1f}"
            for name, count in self.redis_by_command.most_common(30)
        )

    def sent_line(self) -> str:
        per_row = self.sent.total() / self.rows
        text = f"{per_row:,.0f} bytes sent per row"
        if self.entity_bytes:
            text += (
                f" = {per_row / self.entity_bytes:.2f}x the entity document's own BSON"
                f" ({self.entity_bytes:,.0f} bytes)"
            )
        top = ", ".join(
            f"{name} {count / self.rows:,.0f}" for name, count in self.sent.most_common(8)
        )
        return f"{text}; per row by command: {top}"


def database_processes() -> dict[int, str]:
    """The database's processes on this machine, by pid: their names (`comm`)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                name = (entry / "comm").read_text().strip()
            except OSError:
                continue
            if name in DATABASE_PROCESSES:
                found[int(entry.name)] = name
    return found


def database_pids() -> list[int]:
    return list(database_processes())


def check_database_counted(client: "MongoClient[dict[str, Any]]") -> None:
    """The database's CPU is counted from its processes' names: FerretDB's only from a process
    named `ferretdb`. One started under another name (a build named `ferretdb-…`, whose
    process was `ferretdb-v1.24.`) left it out of every database figure, PostgreSQL's alone
    counted: a run stops rather than print them."""
    if is_ferretdb(client) and "ferretdb" not in database_processes().values():
        raise SystemExit("FerretDB runs under another process name: its CPU would not count")


def total_cpu(pids: list[int]) -> float:
    total = 0.0
    for pid in pids:
        with suppress(OSError):  # ended meanwhile (a PostgreSQL backend)
            total += cpu_seconds(pid)
    return total


@contextmanager
def measured(
    figures: Figures, own_pids: Callable[[], list[int]], api_pid: int | None = None
) -> Iterator[None]:
    """Wall time and CPU of `own_pids` (and of the API among them) and of the database's
    processes over the block. PostgreSQL backends come and go: their CPU is read before and
    after from those alive at both ends, plus the ones that started within (counted whole)."""
    before_db = {pid: cpu_seconds(pid) for pid in database_pids()}
    own = own_pids()
    before_own = total_cpu(own)
    before_api = total_cpu([api_pid]) if api_pid else 0.0
    started = time.perf_counter()
    yield
    figures.seconds = figures.window = time.perf_counter() - started
    figures.own_cpu += total_cpu(own) - before_own
    if api_pid:
        figures.api_cpu += total_cpu([api_pid]) - before_api
    after_db = {pid: cpu for pid in database_pids() if (cpu := total_cpu([pid])) >= 0}
    figures.database_cpu = sum(cpu - before_db.get(pid, 0.0) for pid, cpu in after_db.items())


def documents(rows: int, account: str) -> list[list[dict[str, Any]]]:
    """The CSV's contacts as the platform stores them (same fields, types and timestamps)."""
    now = datetime.now(UTC)
    docs = []
    for record in csv.DictReader(io.StringIO("".join(lines(rows, 0.0, 0.0)))):
        data: dict[str, Any] = {name: value for name, value in record.items() if value}
        data["score"] = int(data["score"])
        data["tags"] = data["tags"].split(";")
        key = data["email"]
        docs.append(
            {
                "_id": ObjectId(),
                "account_id": account,
                "key": key,
                "data": data,
                "created_at": now,
                "updated_at": now,
            }
        )
    return [docs[start : start + BATCH] for start in range(0, rows, BATCH)]


def copy_indexes(source: Any, target: Any) -> None:
    """Gives `target` the indexes of `source` (the platform's own contacts collection)."""
    for name, info in source.index_information().items():
        if name == "_id_":
            continue
        options = {k: info[k] for k in ("unique", "sparse", "partialFilterExpression") if k in info}
        target.create_index(info["key"], name=name, **options)


def write_batches(
    url: str,
    database: str,
    batches: list[list[dict[str, Any]]],
    op: str,
    go: Any = None,
    asynchronous: bool = False,
) -> float:
    """Writes the batches; returns the CPU seconds the writing took (after `go`, if given,
    so that a process's start-up is not counted). `asynchronous`: with PyMongo's asynchronous
    client on uvloop, the platform's own driver, rather than the synchronous one."""
    client: MongoClient[dict[str, Any]] = MongoClient(url)
    # FerretDB v1 wedges on an update command of many statements (app.infra.mongo.entities): there
    # the floor sends commands of as many updates as the platform does.
    per_command = updates_per_command(client)
    commands = partial(floor_commands, batches, op, per_command)
    if asynchronous:
        return uvloop.run(write_asynchronously(url, database, commands, go))
    collection: Any = client[database]["contacts"]
    if go is not None:
        go.wait()
    # The documents are the floor's input, made before: kept out of the collector's walks,
    # as a worker keeps what it holds (workers/process/garbage.py). Else the full collections that
    # the writing's allocations trip walk them, and the client's CPU went 4 -> 10 µs a row
    # from one run to the next in one session here.
    gc.freeze()
    began = time.process_time()
    for method, argument in commands():
        getattr(collection, method)(argument, ordered=False)
    spent = time.process_time() - began
    gc.unfreeze()
    return spent


def floor_commands(
    batches: list[list[dict[str, Any]]], op: str, per_command: int
) -> Iterator[tuple[str, Any]]:
    """The floor's commands, a collection's method and its argument, made as they are sent
    (an update's operations are made within the timing, as the platform makes its own)."""
    for batch in batches:
        if op == "insert":
            yield "insert_many", batch
            continue
        updates = [UpdateOne({"_id": d["_id"]}, {"$set": {"data.company": "Floor"}}) for d in batch]
        for start in range(0, len(updates), per_command):
            yield "bulk_write", updates[start : start + per_command]


async def write_asynchronously(
    url: str, database: str, commands: Callable[[], Iterator[tuple[str, Any]]], go: Any
) -> float:
    """`write_batches`' commands sent one after the other by the asynchronous client."""
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(url)
    collection: Any = client[database]["contacts"]
    await client.admin.command("ping")  # connected: only the writing is measured
    if go is not None:
        await asyncio.to_thread(go.wait)
    gc.freeze()
    began = time.process_time()
    for method, argument in commands():
        await getattr(collection, method)(argument, ordered=False)
    spent = time.process_time() - began
    gc.unfreeze()
    await client.close()
    return spent


def writer(
    url: str, database: str, batches: Any, op: str, go: Any, spent: Any, asynchronous: bool
) -> None:
    spent.put(write_batches(url, database, batches, op, go, asynchronous))


def is_ferretdb(client: MongoClient[dict[str, Any]]) -> bool:
    return ferretdb_says(client.admin.command("buildInfo"))


def updates_per_command(client: MongoClient[dict[str, Any]]) -> int:
    """How many updates a raw client sends in one command: a batch's, or on FerretDB as many
    as the platform sends there (app.infra.mongo.entities)."""
    return FERRETDB_V1.updates_per_command or BATCH if is_ferretdb(client) else BATCH


def with_statistics(collection: Any, probe: Any, seconds: float = 300.0) -> None:
    """On FerretDB, waits until PostgreSQL's planner has the collection's statistics, as
    its autovacuum gives a table a minute or so after it was filled: before, a find by
    `_id` is planned for thousands of rows, and an update by `_id` cost PostgreSQL 2.5x the
    CPU (1,075 against 425 µs a row, measured here). The floor's collection is new; the
    platform's is not: both are measured with their statistics. Nothing to wait for on
    mongod."""
    if not is_ferretdb(collection.database.client):
        return
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = {"find": collection.name, "filter": {"_id": probe}}
        if collection.database.command("explain", found)["queryPlanner"]["Plan"]["Plan Rows"] <= 10:
            return
        time.sleep(2)
    print(f"warning: {collection.full_name} still has no statistics after {seconds:.0f}s")


# The share of a core under which the database is taken to be at rest (at least).
QUIET_DATABASE = 0.1


@dataclass(frozen=True)
class AtRest:
    """What the platform's processes spend per second with nothing to do, and a raw
    asynchronous client connected beside them, as idle (`idle_client`)."""

    cpu: float
    redis_commands: float
    database_cpu: float
    client_cpu: float

    @property
    def quiet_database(self) -> float:
        """The database's CPU (of a core) under which it is taken to be at rest again."""
        return max(QUIET_DATABASE, 3 * self.database_cpu)


def database_at_rest(seconds: float = 180.0, busy: float = QUIET_DATABASE) -> None:
    """Waits until the database's processes spend less than `busy` of a core over 3 s, or
    `seconds` passed: what an earlier run left the database doing (PostgreSQL vacuums a
    table after 20,000 updates of its rows: seconds of CPU) is not counted in the next."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        pids = database_pids()
        spent = total_cpu(pids)
        time.sleep(3)
        if (total_cpu(pids) - spent) / 3 < busy:
            return
    print(f"warning: the database was still busy after {seconds:.0f}s")


def floor(
    url: str,
    rows: int,
    writers: int,
    op: str,
    contacts: Any,
    rest: AtRest | None = None,
    asynchronous: bool = False,
) -> Figures:
    """Raw unordered writes of 1,000 of the platform's documents into a collection with the
    indexes of its `contacts`, documents made outside the timing: one client, or `writers`
    processes each with its share of the batches; `asynchronous`: PyMongo's asynchronous
    client, the platform's driver, where the synchronous one is the default."""
    database = f"bench_floor_{uuid.uuid4().hex[:6]}"
    client: MongoClient[dict[str, Any]] = MongoClient(url)
    copy_indexes(contacts, client[database]["contacts"])
    batches = documents(rows, "floor")
    if op == "update":
        write_batches(url, database, batches, "insert")
        with_statistics(client[database]["contacts"], batches[0][0]["_id"])
    shares = [batches[n::writers] for n in range(writers)]
    database_at_rest(busy=rest.quiet_database if rest else QUIET_DATABASE)
    name = f"floor {op}, {writers} writer{'s' if writers > 1 else ''}"
    if asynchronous:
        name += ", asynchronous client"
    figures = Figures(name, rows=rows)
    if writers == 1:
        with measured(figures, lambda: []):
            figures.own_cpu = write_batches(url, database, batches, op, asynchronous=asynchronous)
    else:
        context = multiprocessing.get_context("spawn")  # PyMongo is not fork-safe
        go, spent = context.Event(), context.Queue()
        processes = [
            context.Process(target=writer, args=(url, database, share, op, go, spent, asynchronous))
            for share in shares
        ]
        for process in processes:
            process.start()
        time.sleep(3)  # started and connected: only the writing is measured
        with measured(figures, lambda: []):
            go.set()
            figures.own_cpu = sum(spent.get() for _ in processes)
        for process in processes:
            process.join()
    client.drop_database(database)
    return figures


def median_floor(
    runs: int,
    url: str,
    rows: int,
    writers: int,
    op: str,
    contacts: Any,
    rest: AtRest,
    asynchronous: bool = False,
) -> Figures:
    """The floor measured `runs` times, each figure its median: a raw client's CPU for a
    20,000-row insert is a tenth of a second, which moved by half from one run to the next
    in one session here, and every platform ratio of the run divides by it."""
    measured_runs = [
        floor(url, rows, writers, op, contacts, rest, asynchronous) for _ in range(runs)
    ]
    if runs == 1:
        return measured_runs[0]
    per_row = sorted(run.own_cpu * 1e6 / rows for run in measured_runs)
    spread = f"client CPU {per_row[0]:,.1f} to {per_row[-1]:,.1f} µs/row"
    middle = Figures(f"{measured_runs[0].name} (median of {runs} runs; {spread})", rows=rows)
    for name in ("seconds", "own_cpu", "database_cpu"):
        setattr(middle, name, statistics.median(getattr(run, name) for run in measured_runs))
    return middle


def median_run(runs: list[Figures]) -> Figures:
    """Of runs of the platform, the one whose CPU per row is the median, named with the
    spread: a 20,000-row INSERT's CPU moved by 10-20 % from one run to the next here, and
    a run's figures (CPU, commands, bytes) belong together."""
    if len(runs) == 1:
        return runs[0]
    ranked = sorted(runs, key=lambda run: run.own_cpu / run.rows)
    middle = ranked[len(ranked) // 2]
    low, high = (run.own_cpu * 1e6 / run.rows for run in (ranked[0], ranked[-1]))
    middle.name += (
        f" (the median of {len(runs)} runs; platform CPU {low:,.0f} to {high:,.0f} µs/row)"
    )
    return middle


def redis_cpu(client: redis.Redis) -> float:
    """The CPU seconds the Redis server has spent since it started."""
    used = client.info("cpu")
    return float(used["used_cpu_sys"]) + float(used["used_cpu_user"])


class RedisWatch:
    """Samples the Redis server's memory while an action runs; counts its commands."""

    def __init__(self, url: str) -> None:
        self.redis = redis.Redis.from_url(url)
        self.stop = threading.Event()
        self.peak = 0

    def __enter__(self) -> "RedisWatch":
        self.base_memory = int(self.redis.info("memory")["used_memory"])
        self.base_cpu = self.cpu()
        self.base_commands = int(self.redis.info("stats")["total_commands_processed"])
        self.base_by_command = self.by_command()
        self.thread = threading.Thread(target=self.sample, daemon=True)
        self.thread.start()
        return self

    def cpu(self) -> float:
        return redis_cpu(self.redis)

    def by_command(self) -> Counter[str]:
        """Calls so far by command (those scripts run counted under their own names)."""
        stats = self.redis.info("commandstats")
        return Counter(
            {name.removeprefix("cmdstat_"): int(v["calls"]) for name, v in stats.items()}
        )

    def sample(self) -> None:
        self.calls = 0
        while not self.stop.is_set():
            self.peak = max(self.peak, int(self.redis.info("memory")["used_memory"]))
            self.calls += 1
            time.sleep(0.05)

    def __exit__(self, *_: object) -> None:
        self.stop.set()
        self.thread.join()
        # Our own INFO calls are commands too: taken out.
        self.commands = int(self.redis.info("stats")["total_commands_processed"])
        self.commands -= self.base_commands + self.calls + 1
        self.by_command_run = self.by_command() - self.base_by_command
        # Our own INFO calls, out.
        self.by_command_run["info"] -= self.calls + 2
        self.by_command_run = +self.by_command_run
        self.spent_cpu = self.cpu() - self.base_cpu


@dataclass
class Monitored:
    """What the platform's processes sent so far (bench/monitor): commands and bytes by
    command, and the CPU the monitor itself spent."""

    commands: Counter[str] = field(default_factory=Counter)
    sent: Counter[str] = field(default_factory=Counter)
    monitor_cpu: float = 0.0


def monitored(directory: Path, only: int | None = None) -> Monitored:
    """What every process (or one, `only`) sent so far."""
    found = Monitored()
    for path in directory.glob("*.json"):
        if only is not None and path.stem != str(only):
            continue
        totals = json.loads(path.read_text())
        found.commands.update(totals["commands"])
        found.sent.update(totals["bytes_by"])
        found.monitor_cpu += totals["own_cpu"]
    return found


@contextmanager
def profiled(pids: list[int], into: Path | None) -> Iterator[None]:
    """Samples the processes with py-spy (collapsed stacks) while the block runs."""
    if into is None:
        yield
        return
    spies = [
        subprocess.Popen(
            [
                str(ROOT / ".venv" / "bin" / "py-spy"),
                "record",
                "--nonblocking",
                "--gil",  # samples of the thread running Python: where the CPU goes
                "--format",
                "raw",
                "--rate",
                "200",
                "--pid",
                str(pid),
                "--output",
                str(into / f"{pid}.txt"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for pid in pids
    ]
    try:
        yield
    finally:
        for spy in spies:
            spy.send_signal(signal.SIGINT)
        for spy in spies:
            spy.wait(timeout=30)


def frame_name(frame: str) -> str:
    """ "function (path/to/file.py:12)" → "function (file.py)"."""
    function, _, where = frame.partition(" (")
    return f"{function} ({where.split(':')[0].rsplit('/', 1)[-1]})"


def top_costs(directory: Path, count: int = 12) -> str:
    """The functions most often on top of the sampled stacks (self time), and the platform's
    own functions nearest the top (where the time is spent on their behalf), as shares."""
    own: Counter[str] = Counter()
    ours: Counter[str] = Counter()
    for path in directory.glob("*.txt"):
        for line in path.read_text().splitlines():
            stack, _, samples = line.rpartition(" ")
            frames = stack.split(";")
            own[frame_name(frames[-1])] += int(samples)
            for frame in reversed(frames):
                where = frame.partition(" (")[2]
                if where.startswith(("app/", "workers/")) or "/main/app/" in where:
                    ours[frame_name(frame)] += int(samples)
                    break
    total = sum(own.values()) or 1

    def listed(counts: Counter[str]) -> str:
        return "\n".join(f"      {n / total:5.1%}  {name}" for name, n in counts.most_common(count))

    return f"    self:\n{listed(own)}\n    nearest platform function:\n{listed(ours)}"


def own_pids(running: Platform) -> list[int]:
    return [running.api.pid, running.worker.pid, *running.worker_pids()]


def at_rest(running: Platform, client: Any, monitor: Path, seconds: float = 10.0) -> AtRest:
    """Warms the platform up with a small action (connections made, indexes checked), then
    measures its processes at rest. Its row is an uploaded CSV, as the measured INSERT's
    are: the first upload to a database also sets up GridFS's indexes (4 commands more)."""
    upload = client.post("/uploads", content=b"email\nw@x.io\n")
    warm = {"entityType": "CONTACT", "actionType": "INSERT", "uploadId": upload.json()["uploadId"]}
    wait_done(client, graphql(client, CREATE, i=warm)["createBulkAction"]["id"], poll=0.2)
    time.sleep(2)
    figures = Figures("at rest")
    idle = subprocess.Popen(
        [sys.executable, "-m", "bench.cost", "--idle-client", str(seconds)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "MONGODB_URL": running.env["MONGODB_URL"]},
    )
    ready = idle.stdout.readline() if idle.stdout else ""
    assert ready.strip() == "connected", ready
    monitor_cpu = monitored(monitor).monitor_cpu
    with (
        RedisWatch(running.env["REDIS_URL"]) as watch,
        measured(figures, lambda: own_pids(running)),
    ):
        time.sleep(seconds)
    client_cpu = float(idle.communicate(timeout=seconds + 30)[0])
    time.sleep(1)
    monitor_after = monitored(monitor).monitor_cpu
    spent = figures.own_cpu - (monitor_after - monitor_cpu)
    return AtRest(
        spent / figures.seconds,
        watch.commands / figures.seconds,
        figures.database_cpu / figures.seconds,
        client_cpu,
    )


def idle_client(seconds: float) -> None:
    """A raw asynchronous client on uvloop, connected and idle: its CPU a second, printed.
    What an idle process spends here is mostly its wake-ups (PyMongo's periodic tasks wake
    its loop every half second), whose cost this machine varies several-fold from one hour
    to the next; the platform's processes wake for the same and for their own."""

    async def rest() -> float:
        client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(os.environ["MONGODB_URL"])
        await client.admin.command("ping")
        await asyncio.sleep(1)
        print("connected", flush=True)
        began = time.process_time()
        await asyncio.sleep(seconds)
        spent = (time.process_time() - began) / seconds
        await client.close()
        return spent

    print(uvloop.run(rest()), flush=True)


def platform_run(
    running: Platform,
    client: Any,
    name: str,
    given: dict[str, Any],
    rows: int,
    monitor: Path,
    rest: AtRest,
    profile: Path | None = None,
) -> Figures:
    figures = Figures(name, rows=rows, chunks=-(-rows // CHUNK_ROWS))
    database_at_rest(busy=rest.quiet_database)
    time.sleep(1)  # the monitors' last dump
    before, api_before = monitored(monitor), monitored(monitor, running.api.pid)
    began = time.time()
    with (
        RedisWatch(running.env["REDIS_URL"]) as watch,
        measured(figures, lambda: own_pids(running), running.api.pid),
        profiled(running.worker_pids(), profile),
    ):
        if "csv" in given:
            upload = client.post("/uploads", content=given.pop("csv"))
            given["uploadId"] = upload.json()["uploadId"]
        action_id = graphql(client, CREATE, i=given)["createBulkAction"]["id"]
        state = wait_done(client, action_id, poll=1.0)
        # What the processes do just after the end (the action's last chunk done, its
        # completion) is counted in every run, however soon the poll saw the end.
        ended = datetime.fromisoformat(state["finishedAt"]).timestamp()
        time.sleep(max(0.0, ended + SETTLE_SECONDS - time.time()))
    assert state["status"] == "COMPLETED", state
    # The action's own time, not the poll's: a poll a second lands up to a second late.
    figures.seconds = ended - began
    time.sleep(1)
    after, api_after = monitored(monitor), monitored(monitor, running.api.pid)
    figures.api_commands = api_after.commands - api_before.commands
    figures.api_cpu -= api_after.monitor_cpu - api_before.monitor_cpu
    figures.commands = after.commands - before.commands
    figures.sent = after.sent - before.sent
    figures.own_cpu -= after.monitor_cpu - before.monitor_cpu
    figures.redis_commands = watch.commands
    figures.redis_by_command = watch.by_command_run
    figures.redis_peak_bytes = watch.peak - watch.base_memory
    figures.redis_cpu = watch.spent_cpu
    figures.idle_cpu = rest.cpu * figures.window
    figures.idle_redis_commands = rest.redis_commands * figures.window
    return figures


def entity_size(stored: Any) -> float:
    """The mean BSON size of the contacts the platform stored for the benchmark's account."""
    sizes = [len(bson.encode(doc)) for doc in stored.find({"account_id": ACCOUNT}).limit(2000)]
    return sum(sizes) / max(len(sizes), 1)


def commit() -> str:
    """The commit measured, marked when the checkout has changes beyond it."""
    head = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT
    ).stdout.strip()
    changed = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    ).stdout.strip()
    return f"{head or 'unknown'}{' with uncommitted changes' if changed else ''}"


def cost_settings(rows: int, monitor: Path) -> dict[str, str]:
    """The platform's settings for a cost run: the limit lifted (this measures cost, not
    pacing), uploads as large as the run's, and every process's commands counted."""
    return {
        "RATE_LIMIT_PER_MINUTE": "1000000000",
        "MAX_UPLOAD_ROWS": str(rows + 1),
        "PYTHONPATH": str(ROOT / "bench" / "monitor"),
        "BENCH_MONITOR_DIR": str(monitor),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("rows", type=int, nargs="?", default=20_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument(
        "--floor-runs",
        type=int,
        default=3,
        help="times each insert floor is measured; each of its figures is the median",
    )
    parser.add_argument(
        "--insert-runs",
        type=int,
        default=3,
        help="times the platform INSERT is run, each from an account of its own; its figures"
        " are the median run's (with --profile, the first run is sampled)",
    )
    parser.add_argument(
        "--insert-only", action="store_true", help="only the INSERT and its floors (scaling runs)"
    )
    parser.add_argument("--idle-client", type=float, help=argparse.SUPPRESS)
    parser.add_argument(
        "--profile", action="store_true", help="sample the workers with py-spy; print top costs"
    )
    parser.add_argument(
        "--keep-profiles",
        type=Path,
        metavar="DIR",
        help="with --profile, keep py-spy's raw stacks in DIR/insert and DIR/update",
    )
    args = parser.parse_args()
    if args.idle_client is not None:
        idle_client(args.idle_client)
        return
    url = os.environ["MONGODB_URL"]
    # As many raw writers as the platform has writes under way at once: a command per worker
    # thread on mongod; on FerretDB, one per worker process (app.infra.mongo.entities lets a process
    # run one write command at a time there, as more of them wedge FerretDB v1 for good:
    # eight concurrent insert_many of 1,000 did, here).
    server: MongoClient[dict[str, Any]] = MongoClient(url)
    ferretdb = is_ferretdb(server)
    check_database_counted(server)
    writers = args.workers if ferretdb else args.workers * args.threads
    with tempfile.TemporaryDirectory() as tmp:
        monitor = Path(tmp) / "monitor"
        profiles = {name: Path(tmp) / name for name in ("insert", "update")}
        for directory in (monitor, *profiles.values()):
            directory.mkdir()
        with Platform(args.workers, args.threads, **cost_settings(args.rows, monitor)) as running:
            client = running.client(ACCOUNT)
            rest = at_rest(running, running.client("bench-warm-up"), monitor)
            # The floors write into a database of their own, with the indexes the platform
            # gave its contacts (made by the warm-up), while the platform rests.
            stored: Any = server[running.env["MONGODB_DB"]]["contacts"]
            floors = [
                median_floor(args.floor_runs, url, args.rows, 1, "insert", stored, rest),
                median_floor(args.floor_runs, url, args.rows, writers, "insert", stored, rest),
            ]
            # The same writes by the platform's own driver, PyMongo's asynchronous client,
            # which costs more CPU a command than the synchronous one: what the platform
            # adds to its driver's cost is its figure against these.
            drivers = {
                "insert": median_floor(
                    args.floor_runs, url, args.rows, writers, "insert", stored, rest, True
                )
            }
            if not args.insert_only:
                # A minute or two each: measured once.
                floors += [
                    floor(url, args.rows, 1, "update", stored, rest),
                    floor(url, args.rows, writers, "update", stored, rest),
                ]
                drivers["update"] = floor(url, args.rows, writers, "update", stored, rest, True)
            contacts = "".join(lines(args.rows, 0.0, 0.0)).encode()
            inserts = []
            for n in range(args.insert_runs):
                account = ACCOUNT if n == 0 else f"{ACCOUNT}-{n}"
                inserts.append(
                    platform_run(
                        running,
                        running.client(account),
                        "platform INSERT (CSV upload → logs)",
                        {"entityType": "CONTACT", "actionType": "INSERT", "csv": contacts},
                        args.rows,
                        monitor,
                        rest,
                        profiles["insert"] if args.profile and n == 0 else None,
                    )
                )
            insert = median_run(inserts)
            insert.entity_bytes = entity_size(stored)
            runs = [(insert, floors[1], drivers["insert"])]
            if not args.insert_only:
                found = stored.find({"account_id": ACCOUNT}, {"_id": 1})
                ids = [str(doc["_id"]) for doc in found]
                with_statistics(stored, ObjectId(ids[0]))
                # First a value of its own each row: no two targets are given one update, so
                # each is written by itself, as the floor's are; then one value in every row,
                # whose targets go as one update_many a chunk (app.infra.mongo.entities).
                # In that order, the per-target run finds the table as the floor's was, its
                # rows written once; the second finds a dead version of each row.
                updates = {
                    "a value each row": "".join(f"{i},Co {n}\n" for n, i in enumerate(ids)),
                    "one value in every row": "".join(f"{i},Updated\n" for i in ids),
                }
                for n, (which, body) in enumerate(updates.items()):
                    update = platform_run(
                        running,
                        client,
                        f"platform UPDATE by ids, {which} (CSV upload → logs)",
                        {
                            "entityType": "CONTACT",
                            "actionType": "UPDATE",
                            "csv": f"id,company\n{body}".encode(),
                        },
                        len(ids),
                        monitor,
                        rest,
                        profiles["update"] if args.profile and n == 0 else None,
                    )
                    runs.append((update, floors[3], drivers["update"]))
        costs = {name: top_costs(path) for name, path in profiles.items()} if args.profile else {}
        if args.profile and args.keep_profiles is not None:
            for name, path in profiles.items():
                shutil.copytree(path, args.keep_profiles / name, dirs_exist_ok=True)
    print(f"commit: {commit()}")
    print(f"rows: {args.rows:,}; workers {args.workers} x {args.threads} threads; {url}")
    print(f"cores: {os.cpu_count()}")
    print(
        f"platform at rest: {rest.cpu * 1e3:,.1f} ms CPU/s, {rest.redis_commands:,.1f} Redis"
        f" commands/s; the database meanwhile {rest.database_cpu * 1e3:,.1f} ms CPU/s (each run"
        f" waits for it to spend under {rest.quiet_database * 1e3:,.0f}); a raw asynchronous"
        f" client connected and idle beside it {rest.client_cpu * 1e3:,.2f} ms CPU/s: the"
        f" platform's processes {rest.cpu / rest.client_cpu:.1f}x"
    )
    for figures in [*floors, *drivers.values()]:
        print(figures.line("client"))
    for figures, base, driver in runs:
        print(figures.line("platform"))
        net_cpu = (figures.own_cpu - figures.idle_cpu) / figures.rows
        net_cpu_ratio = net_cpu / (base.own_cpu / base.rows)
        print(
            f"    against the {base.name}: wall {figures.rows / figures.seconds:,.0f} / "
            f"{base.rows / base.seconds:,.0f} = "
            f"{(figures.rows / figures.seconds) / (base.rows / base.seconds):.2f}; platform CPU"
            f" {figures.own_cpu / figures.rows / (base.own_cpu / base.rows):.1f}x the raw"
            f" client's ({net_cpu_ratio:.1f}x net of the platform at rest); database CPU"
            f" {figures.database_cpu / figures.rows / (base.database_cpu / base.rows):.1f}x;"
            f" MongoDB commands {figures.commands.total() * 1000 / figures.rows:,.1f} per 1,000"
            " rows"
        )
        print(
            f"    against the {driver.name}: platform CPU"
            f" {figures.own_cpu / figures.rows / (driver.own_cpu / driver.rows):.1f}x its"
            f" driver's ({net_cpu / (driver.own_cpu / driver.rows):.1f}x net of the platform"
            " at rest)"
        )
    for name, text in costs.items():
        print(f"workers' top costs during the {name} (py-spy, samples holding the GIL):\n{text}")


if __name__ == "__main__":
    main()
