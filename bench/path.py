"""The workers' path for a CSV INSERT in one process: planning and every chunk, against the raw
client inserting the same documents, in one run.

`bench/cost` measures the platform as it runs (API, worker processes, Dramatiq), whose CPU a
row moved by 10-20 % from one run to the next here; `bench/rows` measures the per-row stages
alone, without the database. This runs the workers' own code on the real services, in this
process and one thread: planning's `write_chunks`, then `process_chunk` for each chunk in
order (admission, the rate limit's scripts, the writes, the logs, the chunk's completion), the
chunks' messages sent to a queue nobody reads. Its figures are the thread's CPU, steadier than
a whole platform's, and it prints what a chunk sends: the MongoDB and Redis commands.

The baseline, measured in the same run and process: PyMongo's asynchronous client inserting
the same contacts, made beforehand, 1,000 a command into a collection with the platform's
indexes (the platform's own client; `bench/cost`'s floor is the synchronous one). With
--update, an UPDATE giving each row a value of its own (as `bench/cost`'s) is measured too,
against the same client's updates, as many a command as the platform sends. With --delete, a
DELETE of the inserted contacts by id (an uploaded CSV of ids) against the same client's
`delete_many` of the same ids, 1,000 a command; for it the database's CPU is printed too (its
processes', over the chunks and over the raw deletes), as a DELETE's extra cost lies there;
with --restore (alone), a RESTORE of the INSERT, against the same deletes.

Run it through bench/path [ROWS] [--runs N] [--update] [--delete] [--restore], which starts
the services.
"""

import argparse
import gc
import os
import statistics
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import contextmanager
from typing import Any

import uvloop
from pymongo import MongoClient, monitoring
from redis.asyncio.client import Redis

from bench.cost import (
    Figures,
    commit,
    copy_indexes,
    documents,
    floor_commands,
    measured,
    updates_per_command,
)
from tests.support.contacts_csv import HEADER, lines

ROWS = 20_000


class Commands(monitoring.CommandListener):
    """MongoDB commands this process sends, by name and collection."""

    def __init__(self) -> None:
        self.seen: Counter[str] = Counter()

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        target = event.command.get(event.command_name)
        self.seen[f"{event.command_name} {target}" if isinstance(target, str) else "other"] += 1

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


COMMANDS = Commands()
monitoring.register(COMMANDS)  # before the platform's client is made
REDIS_COMMANDS: Counter[str] = Counter()


def count_redis_commands() -> None:
    """Counts the Redis commands of the platform's asynchronous client, by name."""
    send = Redis.execute_command

    async def counted(self: Redis, *args: Any, **options: Any) -> Any:
        REDIS_COMMANDS[str(args[0]).upper()] += 1
        return await send(self, *args, **options)  # type: ignore[no-untyped-call]

    Redis.execute_command = counted  # type: ignore[method-assign]


@contextmanager
def counting() -> Any:
    """The commands sent within, MongoDB's and Redis's."""
    mongo, redis = Counter(COMMANDS.seen), Counter(REDIS_COMMANDS)
    found: dict[str, Counter[str]] = {}
    yield found
    found["mongo"] = COMMANDS.seen - mongo
    found["redis"] = REDIS_COMMANDS - redis


async def cpu_of(work: Callable[[], Coroutine[Any, Any, Any]]) -> tuple[float, Any]:
    """This thread's CPU seconds for the work, and what it returned."""
    began = time.thread_time()
    result = await work()
    return time.thread_time() - began, result


async def with_database_cpu(
    work: Callable[[], Coroutine[Any, Any, Any]],
) -> tuple[float, float, Any]:
    """This thread's CPU seconds for the work, the database's processes' meanwhile, and what
    the work returned."""
    figures = Figures("database")
    with measured(figures, list):
        spent, result = await cpu_of(work)
    return spent, figures.database_cpu, result


async def pieces(data: bytes, size: int = 1 << 16) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


async def stored_action(account: str, action_type: str, body: bytes, columns: list[str]) -> Any:
    """An action of this upload, as creating it leaves it for planning."""
    from app.domain.models import BulkAction, BulkActionStatus
    from app.infra.files import uploads
    from app.infra.redis import liveness

    upload = await uploads.store(account, "bench.csv", pieces(body))
    action = BulkAction(
        account_id=account,
        entity_type="CONTACT",
        action_type=action_type,
        status=BulkActionStatus.PROCESSING,
        upload_id=upload.id,
        columns=columns,
    )
    await action.insert()
    await liveness.touch(str(action.id))
    return action


async def restoring(account: str, original_id: Any) -> Any:
    """A restore of the action, as restoreBulkAction leaves it for planning."""
    from app.domain.models import BulkAction, BulkActionStatus
    from app.infra.redis import liveness

    action = BulkAction(
        account_id=account,
        entity_type="CONTACT",
        action_type="RESTORE",
        status=BulkActionStatus.PROCESSING,
        restore_of=original_id,
    )
    await action.insert()
    await liveness.touch(str(action.id))
    return action


async def platform_run(action: Any) -> dict[str, Any]:
    """Planning and every chunk of the action, timed apart."""
    from app.domain.models import BulkAction, Chunk
    from app.engine import planning, processing

    with counting() as planned:
        plan_cpu, (total, count) = await cpu_of(lambda: planning.write_chunks(action))
    collection = BulkAction.get_pymongo_collection()
    await collection.update_one(
        {"_id": action.id}, {"$set": {"total": total, "chunks_total": count}}
    )
    chunks = await Chunk.find({"action_id": action.id}).sort("seq").to_list()

    async def process() -> None:
        for chunk in chunks:
            await processing.process_chunk(str(chunk.id))

    with counting() as processed:
        process_cpu, database_cpu, _ = await with_database_cpu(process)
    done = await BulkAction.get(action.id)
    assert done is not None and done.succeeded == total, (total, done)
    return {
        "action_id": action.id,
        "rows": total,
        "chunks": count,
        "planning": plan_cpu / total * 1e6,
        "processing": process_cpu / total * 1e6,
        "database": database_cpu / total * 1e6,
        "planned": planned,
        "processed": processed,
    }


async def raw_writes(
    collection: Any, batches: list[list[dict[str, Any]]], op: str, per_command: int
) -> float:
    """The raw client's CPU µs a row, sending bench/cost's floor commands for the batches
    (`floor_commands`: the documents made before, an update's operations as they are sent)."""

    async def send() -> None:
        for method, argument in floor_commands(batches, op, per_command):
            await getattr(collection, method)(argument, ordered=False)

    spent, _ = await cpu_of(send)
    return spent / sum(map(len, batches)) * 1e6


async def raw_deletes(collection: Any, batches: list[list[dict[str, Any]]]) -> tuple[float, float]:
    """The raw client's CPU µs a row and the database's, deleting the batches' documents by
    id, one `delete_many` of a batch's ids a command."""

    async def send() -> None:
        for batch in batches:
            await collection.delete_many({"_id": {"$in": [doc["_id"] for doc in batch]}})

    spent, database, _ = await with_database_cpu(send)
    rows = sum(map(len, batches))
    return spent / rows * 1e6, database / rows * 1e6


def per_chunk(counted: Counter[str], chunks: int) -> str:
    return ", ".join(f"{name} {times / chunks:.1f}" for name, times in counted.most_common())


async def measure(rows: int, runs: int, also: set[str]) -> None:
    from app.domain.entities.contact import Contact
    from app.infra.mongo import db
    from workers.process.garbage import OLDER_THRESHOLDS, YOUNG_THRESHOLD

    database = await db.connect()
    gc.freeze()  # as a worker does once it booted (workers.process.garbage)
    gc.set_threshold(YOUNG_THRESHOLD, *OLDER_THRESHOLDS)
    server: MongoClient[dict[str, Any]] = MongoClient(os.environ["MONGODB_URL"])
    # The raw client writes into a collection with the platform's contacts' indexes, as
    # bench/cost's floor does, as many updates a command as the platform sends.
    copy_indexes(server[database.name]["contacts"], server[database.name]["raw_contacts"])
    per_command = updates_per_command(server)
    raw = database["raw_contacts"]
    columns = HEADER.strip().split(",")
    inserts, updates, deletes, restores = [], [], [], []
    for run in range(runs):
        tag = f"r{run}{uuid.uuid4().hex[:6]}"
        account = f"bench-path-{tag}"
        batches = documents(rows, f"raw-{tag}")
        raw_insert = await raw_writes(raw, batches, "insert", per_command)
        body = "".join(lines(rows, 0.0, 0.0)).replace("@", f"{tag}@").encode()
        platform = await platform_run(await stored_action(account, "INSERT", body, columns))
        inserts.append((raw_insert, platform))
        if "restore" in also:
            raw_delete = await raw_deletes(raw, batches)
            restored = await platform_run(await restoring(account, platform["action_id"]))
            restores.append((raw_delete, restored))
        if "update" in also:
            found = Contact.get_pymongo_collection().find({"account_id": account}, {"_id": 1})
            ids = [doc["_id"] async for doc in found]
            raw_update = await raw_writes(raw, batches, "update", per_command)
            csv = "id,company\n" + "".join(f"{i},Co {n}\n" for n, i in enumerate(ids))
            updated = await platform_run(
                await stored_action(account, "UPDATE", csv.encode(), ["id", "company"])
            )
            updates.append((raw_update, updated))
        if "delete" in also:
            found = Contact.get_pymongo_collection().find({"account_id": account}, {"_id": 1})
            csv = "id\n" + "".join([f"{doc['_id']}\n" async for doc in found])
            raw_delete = await raw_deletes(raw, batches)
            deleted = await platform_run(
                await stored_action(account, "DELETE", csv.encode(), ["id"])
            )
            deletes.append((raw_delete, deleted))
    await database.client.drop_database(database.name)
    print(f"commit: {commit()}")
    print(f"rows: {rows:,} (the bench's contacts CSV); {runs} run(s); one process, one thread")
    report("INSERT", inserts, "the raw asynchronous client's insert_many of 1,000")
    if updates:
        report("UPDATE, a value each row", updates, "the raw asynchronous client's updates")
    for name, runs_of in [("DELETE", deletes), ("RESTORE of the INSERT", restores)]:
        if runs_of:
            report_deletes(name, runs_of)


def report_deletes(name: str, runs: list[tuple[tuple[float, float], dict[str, Any]]]) -> None:
    """The report of an action that deletes, the database's CPU included."""
    cpu_only = [(raw_cpu, platform) for (raw_cpu, _), platform in runs]
    report(name, cpu_only, "the raw asynchronous client's delete_many of 1,000")
    for n, ((_, raw_database), platform) in enumerate(runs, start=1):
        print(
            f"{name} run {n}: the database's CPU over the chunks {platform['database']:.1f}"
            f" µs a row; over the raw deletes {raw_database:.1f};"
            f" ratio {platform['database'] / raw_database:.1f}x"
        )


def report(name: str, runs: list[tuple[float, dict[str, Any]]], baseline: str) -> None:
    for n, (raw, platform) in enumerate(runs, start=1):
        total = platform["planning"] + platform["processing"]
        print(
            f"{name} run {n}: planning {platform['planning']:.1f} + chunks"
            f" {platform['processing']:.1f} = {total:.1f} µs a row; {baseline}"
            f" {raw:.1f} µs a row; ratio {total / raw:.1f}x"
        )
    middle = statistics.median((p["planning"] + p["processing"]) / raw for raw, p in runs)
    print(f"{name}: median ratio {middle:.1f}x")
    last = runs[-1][1]
    chunks = last["chunks"]
    print(f"  a chunk sends (the last run, {chunks} chunks of {last['rows'] // chunks:,} rows):")
    print(f"    MongoDB: {per_chunk(last['processed']['mongo'], chunks)}")
    print(f"    Redis: {per_chunk(last['processed']['redis'], chunks)}")
    print(f"  planning sends, a chunk: MongoDB {per_chunk(last['planned']['mongo'], chunks)}")
    print(f"    Redis: {per_chunk(last['planned']['redis'], chunks)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("rows", type=int, nargs="?", default=ROWS)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--update", action="store_true", help="an UPDATE of them too")
    parser.add_argument("--delete", action="store_true", help="a DELETE of them too")
    parser.add_argument("--restore", action="store_true", help="a RESTORE of the INSERT")
    args = parser.parse_args()
    if args.restore and (args.update or args.delete):
        parser.error("--restore undoes the INSERT: it goes alone")
    os.environ.setdefault("RATE_LIMIT_PER_MINUTE", "1000000000")  # cost, not pacing
    os.environ.setdefault("MAX_UPLOAD_ROWS", str(args.rows + 1))
    os.environ["MONGODB_DB"] = f"bench_path_{uuid.uuid4().hex[:6]}"
    os.environ["QUEUE_NAMESPACE"] = os.environ["MONGODB_DB"]  # its messages: read by nobody
    count_redis_commands()
    also = {name for name in ("update", "delete", "restore") if getattr(args, name)}
    uvloop.run(measure(args.rows, args.runs, also))


if __name__ == "__main__":
    main()
