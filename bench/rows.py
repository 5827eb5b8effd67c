"""What a CSV row costs the platform's own Python, stage by stage, in one process.

`bench/cost` measures whole runs, whose spread from one run to the next (the same INSERT
code 36 to 46 µs a row) is wider than most single cuts; this measures the per-row stages of an
INSERT of the bench's contacts, in-process and without services, each the best of REPEATS
timings of a 1,000-row chunk: reading the chunk's byte range into records, reading each
record's cells, validating it and marking it (what a chunk does: app.infra.files.chunk_rows),
the document it inserts, the outcome and its log, and planning's reading of the key alone
and its digest. The baseline, measured in the same run, is the BSON encoding of the same
documents, which the raw client pays for every row it writes; each stage is printed as a
ratio to it.

Run it as bench/rows [ROWS]: no service is started.
"""

import argparse
import statistics
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import bson
from beanie import PydanticObjectId

from app.domain.actions import ChunkContext, Outcome, WriteOp, actions
from app.domain.actions._base import DEFAULT_RULES
from app.domain.actions._inputs import CsvKeys, CsvRows, new_entity
from app.domain.entities import entities
from app.domain.models.action_log import LogReason, LogStatus, block_documents, logged_row
from app.infra.files.chunk_rows import mark, record_row
from app.infra.files.csv_records import RecordReader
from app.infra.redis.dedupe import digest
from bench.cost import commit
from tests.support.contacts_csv import lines

REPEATS = 30


def per_row(work: Callable[[], object], rows: int) -> tuple[float, float]:
    """The best and the median of REPEATS timings, in µs a row."""
    work()
    taken = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        work()
        taken.append(time.perf_counter() - started)
    return min(taken) * 1e6 / rows, statistics.median(taken) * 1e6 / rows


async def no_read(
    query: Mapping[str, Any], projection: Mapping[str, Any] | None = None
) -> list[dict[str, Any]]:
    raise AssertionError("nothing is read here")


async def no_write(ops: Sequence[WriteOp]) -> dict[int, Any]:
    raise AssertionError("nothing is written here")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("rows", type=int, nargs="?", default=1000)
    rows = parser.parse_args().rows
    data = "".join(lines(rows, 0.0, 0.0)).encode()
    header, _, body = data.partition(b"\n")
    columns = header.decode().strip().split(",")
    spec, entity = actions.get("INSERT"), entities.get("CONTACT")
    read_row = CsvRows(spec, entity, DEFAULT_RULES, columns)
    key_of = CsvKeys(spec, entity, DEFAULT_RULES, columns)
    action_id, now = PydanticObjectId(), datetime.now(UTC)
    ctx = ChunkContext(account_id="bench", entity=entity, fields=None, read=no_read, write=no_write)

    def read() -> list[Any]:
        return list(RecordReader(offset=len(header) + 1, first_number=1).feed(body, final=True))

    records = read()

    def validate() -> list[Any]:
        made = []
        for record in records:
            row = record_row(read_row, record)
            mark(row, False, action_id, spec)
            made.append(row)
        return made

    valid = validate()

    def made_documents() -> list[dict[str, Any]]:
        return [new_entity(ctx, row, now) for row in valid]

    def made_outcomes() -> list[Outcome]:
        return [
            Outcome(row["row"], LogStatus.SUCCESS, LogReason.INSERTED, row["new_id"])
            for row in valid
        ]

    def made_keys() -> list[str | None]:
        return [key_of(record.values) for record in records]

    documents, outcomes, keys = made_documents(), made_outcomes(), made_keys()

    def logs() -> object:
        logged = (
            (o.status, logged_row(o.row, str(o.reason), o.entity_id, o.message)) for o in outcomes
        )
        return block_documents(action_id, "bench", 0, now, logged, now)

    baseline = per_row(lambda: [bson.encode(document) for document in documents], rows)
    stages: list[tuple[str, Callable[[], object]]] = [
        ("chunk: its byte range read into records", read),
        ("chunk: cells, validation and marks", validate),
        ("chunk: the documents", made_documents),
        ("chunk: the outcomes", made_outcomes),
        ("chunk: the log blocks", logs),
        ("planning: each record's key", made_keys),
        ("planning: the keys' digests", lambda: [digest(key) for key in keys if key]),
    ]
    print(f"commit: {commit()}")
    print(f"rows: {rows:,} (the bench's contacts, one chunk); best of {REPEATS} timings")
    print(
        f"baseline, the documents' BSON (what the raw client pays a row): {baseline[0]:.2f} µs"
        f" a row (median {baseline[1]:.2f})"
    )
    total = 0.0
    for name, work in stages:
        best, median = per_row(work, rows)
        total += best
        print(
            f"  {name:42s} {best:6.2f} µs a row = {best / baseline[0]:4.1f}x (median {median:.2f})"
        )
    print(f"  {'all of them':42s} {total:6.2f} µs a row = {total / baseline[0]:4.1f}x")


if __name__ == "__main__":
    main()
