"""Custom fields benchmark: what ten custom fields of mixed kinds cost per CSV row inserted,
against a CSV of as many bytes per row in built-in fields only, in one run, with the raw
PyMongo client's insert as the floor (bench.cost measures each the same way).

Both CSVs hold ROWS contacts; each custom row carries ENUM, NUMBER, BOOLEAN, DATE, LIST, TEXT
and a unique TEXT value (ten fields), and each built-in row is padded (its company) to the
custom row's exact length. Prints both platform runs, the floor, and the ratio of the
platform's CPU per row (goal: custom at most 1.5x built-in).

Run it through bench/custom_fields, which starts the services like scripts/test does.
"""

import argparse
import os
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from pymongo import MongoClient

from bench.cost import ACCOUNT, at_rest, cost_settings, floor, is_ferretdb, platform_run
from bench.platform import ROOT, Platform, graphql

DEFINE = """mutation($i: DefineCustomFieldInput!) { defineCustomField(input: $i) { name } }"""
FIELDS: list[dict[str, Any]] = [
    {"name": "plan", "kind": "ENUM", "options": ["free", "pro", "enterprise"]},
    {"name": "seats", "kind": "NUMBER"},
    {"name": "vip", "kind": "BOOLEAN"},
    {"name": "renewal", "kind": "DATE"},
    {"name": "groups", "kind": "LIST"},
    {"name": "note", "kind": "TEXT"},
    {"name": "external_id", "kind": "TEXT", "unique": True},
    {"name": "region", "kind": "ENUM", "options": ["emea", "amer", "apac"]},
    {"name": "revenue", "kind": "NUMBER"},
    {"name": "signed", "kind": "DATE"},
]
PLANS, REGIONS = ("free", "pro", "enterprise"), ("emea", "amer", "apac")


def custom_row(n: int) -> str:
    return (
        f"person{n}@example.com,{PLANS[n % 3]},{n % 500},{'true' if n % 2 else 'false'},"
        f"2027-{n % 12 + 1:02d}-{n % 28 + 1:02d},eng;ops,Renewal call booked,EXT-{n:08d},"
        f"{REGIONS[n % 3]},{n * 7 % 100_000}.5,2025-{n % 12 + 1:02d}-15"
    )


def builtin_row(n: int, length: int) -> str:
    start = f"person{n}@example.com,Ada,Lovelace,"
    end = ",Engineer,customer,42,vip;beta"
    return start + "A" * max(length - len(start) - len(end), 1) + end


def csvs(rows: int) -> tuple[bytes, bytes]:
    custom_header = "email," + ",".join(field["name"] for field in FIELDS)
    custom = [custom_row(n) for n in range(rows)]
    builtin = [builtin_row(n, len(line)) for n, line in enumerate(custom)]
    builtin_header = "email,first_name,last_name,company,job_title,lifecycle_stage,score,tags"
    return (
        "\r\n".join([custom_header, *custom]).encode(),
        "\r\n".join([builtin_header, *builtin]).encode(),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("rows", type=int, nargs="?", default=20_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    url = os.environ["MONGODB_URL"]
    ferretdb = is_ferretdb(MongoClient(url))
    writers = args.workers if ferretdb else args.workers * args.threads
    custom, builtin = csvs(args.rows)
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    with tempfile.TemporaryDirectory() as tmp:
        monitor = Path(tmp) / "monitor"
        monitor.mkdir()
        with Platform(args.workers, args.threads, **cost_settings(args.rows, monitor)) as running:
            rest = at_rest(running, running.client("bench-warm-up"), monitor)
            stored: Any = MongoClient(url)[running.env["MONGODB_DB"]]["contacts"]
            base = floor(url, args.rows, writers, "insert", stored)
            plain_client = running.client(ACCOUNT)
            plain = platform_run(
                running,
                plain_client,
                "platform INSERT, built-in fields only",
                {"entityType": "CONTACT", "actionType": "INSERT", "csv": builtin},
                args.rows,
                monitor,
                rest,
            )
            custom_client = running.client(f"{ACCOUNT}-custom")
            for field in FIELDS:
                graphql(custom_client, DEFINE, i={"entityType": "CONTACT", **field})
            time.sleep(1)
            with_custom = platform_run(
                running,
                custom_client,
                "platform INSERT, ten custom fields",
                {"entityType": "CONTACT", "actionType": "INSERT", "csv": custom},
                args.rows,
                monitor,
                rest,
            )
    print(f"commit {commit}; rows: {args.rows:,}; workers {args.workers} x {args.threads}; {url}")
    print(
        f"bytes per CSV row: {len(custom) / args.rows:,.1f} (custom), "
        f"{len(builtin) / args.rows:,.1f} (built-in)"
    )
    print(base.line("client"))
    for figures in (plain, with_custom):
        print(figures.line("platform"))
        print(
            f"    platform CPU {figures.own_cpu / figures.rows / (base.own_cpu / base.rows):.1f}x"
            f" the {base.name}'s; database CPU "
            f"{figures.database_cpu / figures.rows / (base.database_cpu / base.rows):.1f}x"
        )
    ratio = (with_custom.own_cpu / with_custom.rows) / (plain.own_cpu / plain.rows)
    print(f"custom fields / built-in fields, platform CPU per row: {ratio:.2f} (goal ≤ 1.5)")


if __name__ == "__main__":
    main()
