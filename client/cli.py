"""`bulk-actions`: the platform from a shell, over its GraphQL API.

    bulk-actions submit contacts.csv --entity contact --action insert [--at TIME] [--watch]
        [--drip 500/10m [--days MON-FRI] [--window 09:00-17:00] [--tz Europe/Berlin]]
    bulk-actions drip ID 1000/5m [--days …] [--window …] [--tz …]   (or: drip ID off)
    bulk-actions status ID
    bulk-actions watch ID
    bulk-actions logs ID [--status failed] [--csv [--decimal-mark comma]]
    bulk-actions download ID [--decimal-mark comma] > export.csv   (an ended EXPORT's file)
    bulk-actions cancel ID

The API's address and token come from --url / --token or BULK_ACTIONS_URL / BULK_ACTIONS_TOKEN.
`submit --watch` and `watch` exit with 1 when the action ends with failed rows (or FAILED or
CANCELLED), so scripts can act on it; errors exit with 2.
"""

import argparse
import asyncio
import contextlib
import csv
import io
import json
import os
import sys
from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from client.api import ApiClient, ApiError, Closed
from client.drip import DripNotation, drip_input

TYPES = """
{
  EntityType: __type(name: "EntityType") { enumValues { name } }
  ActionType: __type(name: "ActionType") { enumValues { name } }
}
"""
CREATE = """
mutation($input: CreateBulkActionInput!) { createBulkAction(input: $input) { id status } }
"""
STATUS = """
query($id: ID!) {
  bulkAction(id: $id) {
    id entityType actionType status createdAt scheduledAt startedAt finishedAt error
    stats { total processed succeeded failed skipped progress etaSeconds waitingRows }
    drip { batchSize everySeconds days window { from to } timeZone }
    nextBatchAt
  }
}
"""
WATCH = """
subscription($id: ID!) {
  bulkActionProgress(id: $id) { id status stats { total processed succeeded failed skipped } }
}
"""
CANCEL = "mutation($id: ID!) { cancelBulkAction(id: $id) { id status } }"
UPDATE_DRIP = """
mutation($id: ID!, $drip: DripInput) {
  updateBulkActionDrip(id: $id, drip: $drip) {
    id status nextBatchAt drip { batchSize everySeconds days window { from to } timeZone }
  }
}
"""
ENDED_WELL = {"COMPLETED"}
UPLOAD_PIECE = 1 << 20

console = Console(stderr=True)


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="bulk-actions", description=__doc__.split("\n")[0])
    root.add_argument("--url", default=os.environ.get("BULK_ACTIONS_URL", "http://127.0.0.1:8000"))
    root.add_argument("--token", default=os.environ.get("BULK_ACTIONS_TOKEN"))
    commands = root.add_subparsers(dest="command", required=True)

    submit = commands.add_parser("submit", help="upload a CSV and create an action from it")
    submit.add_argument("file", type=Path)
    submit.add_argument("--entity", required=True, help="contact, company, lead, …")
    submit.add_argument("--action", required=True, help="insert, update, upsert, delete")
    submit.add_argument("--at", help="start time, ISO 8601 (default: now)")
    submit.add_argument("--column-map", help='JSON: {"CSV header": "field" or null}')
    submit.add_argument("--idempotency-key")
    submit.add_argument("--match-by", help="the field rows are matched by (default: id or key)")
    submit.add_argument(
        "--empty-values", choices=["skip", "clear"], help="what an empty cell does (skip)"
    )
    submit.add_argument(
        "--existing-values",
        choices=["overwrite", "keep"],
        help="whether values held already are overwritten (overwrite)",
    )
    submit.add_argument(
        "--decimal-mark",
        choices=["point", "comma"],
        help="how the file's numbers mark decimals (point: 1234.5; comma: 1.234,5)",
    )
    submit.add_argument(
        "--date-order",
        choices=["day-first", "month-first"],
        help="how the file's days with slashes are ordered (day-first: 31/12/2026)",
    )
    submit.add_argument(
        "--encoding",
        help="the file's text encoding when not UTF-8: windows-1252 (Excel's \"CSV (Comma "
        'delimited)"), macintosh (Excel for Mac\'s "CSV (Macintosh)")',
    )
    submit.add_argument("--watch", action="store_true", help="show progress until it ends")
    drip_options(submit, "--drip")

    drip = commands.add_parser("drip", help="change a drip action's pace, or `off`")
    drip.add_argument("id")
    drip_options(drip, "pace")

    for name, text in (("status", "show an action"), ("watch", "follow an action live")):
        command = commands.add_parser(name, help=text)
        command.add_argument("id")
    cancel = commands.add_parser("cancel", help="cancel an action")
    cancel.add_argument("id")

    logs = commands.add_parser("logs", help="an action's row outcomes")
    logs.add_argument("id")
    logs.add_argument("--status", choices=["success", "failed", "skipped"])
    logs.add_argument("--csv", action="store_true", help="CSV on stdout (default: a table)")
    download = commands.add_parser("download", help="an ended EXPORT's file, on stdout")
    download.add_argument("id")
    for command in (logs, download):
        command.add_argument(
            "--decimal-mark",
            choices=["point", "comma"],
            help="comma: the CSV as Excel opens it where decimals have a comma (';' between "
            "values)",
        )
    return root


def drip_options(command: argparse.ArgumentParser, pace: str) -> None:
    command.add_argument(pace, help="pace the action: ROWS/INTERVAL, e.g. 500/10m (s, m, h, d)")
    command.add_argument("--days", help="days batches may start on, e.g. MON-FRI (default: all)")
    command.add_argument("--window", help="hours batches may start in, e.g. 09:00-17:00")
    command.add_argument("--tz", help="IANA time zone of --days and --window (default: UTC)")


def given_drip(pace: str | None, args: argparse.Namespace) -> dict[str, Any] | None:
    if pace is None or pace.lower() == "off":
        if args.days or args.window or args.tz:
            raise LocalError("--days, --window and --tz go with a pace (e.g. --drip 500/10m)")
        return None
    try:
        return drip_input(pace, args.days, args.window, args.tz)
    except DripNotation as error:
        raise LocalError(str(error)) from None


async def file_pieces(path: Path) -> AsyncIterator[bytes]:
    with path.open("rb") as source:
        while piece := source.read(UPLOAD_PIECE):
            yield piece


class LocalError(Exception):
    """A mistake found here, before anything is sent."""


def local_input(args: argparse.Namespace) -> dict[str, Any]:
    """The create's input besides the upload, checked before the file is sent."""
    if not args.file.is_file():
        raise LocalError(f"no such file: {args.file}")
    given: dict[str, Any] = {"entityType": args.entity.upper(), "actionType": args.action.upper()}
    if args.at:
        try:
            # A time without a zone is the user's local time (the API wants one).
            given["scheduledAt"] = datetime.fromisoformat(args.at).astimezone().isoformat()
        except ValueError:
            raise LocalError(f"--at is not an ISO 8601 time: {args.at!r}") from None
    if args.column_map:
        try:
            given["columnMap"] = json.loads(args.column_map)
        except ValueError:
            raise LocalError("--column-map is not JSON") from None
    if args.idempotency_key:
        given["idempotencyKey"] = args.idempotency_key
    if args.match_by:
        given["matchBy"] = args.match_by
    if args.empty_values:
        given["emptyValues"] = args.empty_values.upper()
    if args.existing_values:
        given["existingValues"] = args.existing_values.upper()
    if args.decimal_mark:
        given["decimalMark"] = args.decimal_mark.upper()
    if args.date_order:
        given["dateOrder"] = args.date_order.upper().replace("-", "_")
    if (drip := given_drip(args.drip, args)) is not None:
        given["drip"] = drip
    return given


async def check_types(api: ApiClient, given: dict[str, Any]) -> None:
    """Entity and action types the API knows, asked before the file is sent."""
    try:
        known = await api.execute(TYPES)
    except ApiError as refused:
        if refused.codes == ["GRAPHQL_VALIDATION_FAILED"]:
            return  # introspection is off on this API: its create will say
        raise
    for name, kind in (("entityType", "EntityType"), ("actionType", "ActionType")):
        values = [value["name"] for value in known[kind]["enumValues"]]
        if given[name] not in values:
            wanted = ", ".join(value.lower() for value in values)
            raise LocalError(f"unknown {name[:-4]} {given[name].lower()!r}: one of {wanted}")


async def submit(api: ApiClient, args: argparse.Namespace) -> int:
    given = local_input(args)
    await check_types(api, given)
    params = {"filename": args.file.name}
    if args.encoding:
        params["encoding"] = args.encoding
    response = await api.http.post("/uploads", params=params, content=file_pieces(args.file))
    body = response.json()
    if response.status_code != 201:
        raise ApiError([body.get("error", {"message": response.text})])
    given["uploadId"] = body["uploadId"]
    created = (await api.execute(CREATE, input=given))["createBulkAction"]
    print(created["id"])
    console.print(f"{body['rows']:,} rows uploaded; action {created['id']} {created['status']}")
    return await watch(api, created["id"]) if args.watch else 0


async def watch(api: ApiClient, action_id: str) -> int:
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    status = "?"
    stats: dict[str, int] = {}
    with Progress(*columns, TimeRemainingColumn(), console=console) as bar:
        task = bar.add_task("waiting", total=None)
        async for event in api.subscribe(WATCH, {"id": action_id}):
            progress = event["bulkActionProgress"]
            status, stats = progress["status"], progress["stats"]
            total = stats["total"] or None
            bar.update(task, description=status, completed=stats["processed"], total=total)
    console.print(
        f"{status}: {stats.get('succeeded', 0):,} succeeded, {stats.get('failed', 0):,} failed, "
        f"{stats.get('skipped', 0):,} skipped"
    )
    return 0 if status in ENDED_WELL else 1


async def status(api: ApiClient, action_id: str) -> int:
    action = (await api.execute(STATUS, id=action_id))["bulkAction"]
    print(json.dumps(action, indent=2))
    return 0


async def cancel(api: ApiClient, action_id: str) -> int:
    action = (await api.execute(CANCEL, id=action_id))["cancelBulkAction"]
    print(f"{action['id']} {action['status']}")
    return 0


async def change_drip(api: ApiClient, args: argparse.Namespace) -> int:
    drip = given_drip(args.pace, args)
    action = (await api.execute(UPDATE_DRIP, id=args.id, drip=drip))["updateBulkActionDrip"]
    print(json.dumps(action, indent=2))
    return 0


async def csv_rows(pieces: AsyncIterator[str]) -> AsyncIterator[list[str]]:
    """The rows of CSV text arriving in pieces, each read once its record is whole (a quoted
    value may hold line breaks)."""
    pending = ""
    async for piece in pieces:
        pending += piece
        cut = last_record_end(pending)
        for row in csv.reader(io.StringIO(pending[:cut], newline="")):
            yield row
        pending = pending[cut:]
    for row in csv.reader(io.StringIO(pending, newline="")):
        yield row


def last_record_end(text: str) -> int:
    """Just past the last line break outside quotes in `text` (which starts outside them)."""
    parts = text.split('"')
    end = len(text)
    for index in range(len(parts) - 1, -1, -1):
        end -= len(parts[index])
        if index % 2 == 0 and (newline := parts[index].rfind("\n")) >= 0:
            return end + newline + 1
        end -= 1
    return 0


async def logs(api: ApiClient, args: argparse.Namespace) -> int:
    params = {"status": args.status.upper()} if args.status else {}
    if args.csv:
        return await to_stdout(api, f"/bulk-actions/{args.id}/logs.csv", params, args)
    async with served(api, f"/bulk-actions/{args.id}/logs.csv", params) as got:
        # The failed rows' file goes on with their input, which the table leaves out.
        async for row, entity_id, state, reason, message, *_ in csv_rows(got.aiter_text()):
            print(f"{row:>8}  {state:<8} {reason:<20} {entity_id:<24} {message}")
    return 0


@contextlib.asynccontextmanager
async def served(
    api: ApiClient, path: str, params: dict[str, str]
) -> AsyncIterator[httpx.Response]:
    """A file the API serves, streamed; the API's error when it refuses it."""
    async with api.http.stream("GET", path, params=params) as got:
        if got.status_code != 200:
            raise ApiError([json.loads(await got.aread()).get("error", {})])
        yield got


async def to_stdout(
    api: ApiClient, path: str, params: dict[str, str], args: argparse.Namespace
) -> int:
    """A served CSV on stdout as it comes (`--decimal-mark comma`: as Excel opens it where
    decimals have a comma)."""
    if args.decimal_mark:
        params = {**params, "decimalMark": args.decimal_mark}
    async with served(api, path, params) as got:
        async for text in got.aiter_text():
            sys.stdout.write(text)
    return 0


async def run(args: argparse.Namespace) -> int:
    async with ApiClient(args.url, args.token) as api:
        if args.command == "submit":
            return await submit(api, args)
        if args.command == "watch":
            return await watch(api, args.id)
        if args.command == "status":
            return await status(api, args.id)
        if args.command == "cancel":
            return await cancel(api, args.id)
        if args.command == "drip":
            return await change_drip(api, args)
        if args.command == "download":
            return await to_stdout(api, f"/bulk-actions/{args.id}/export.csv", {}, args)
        return await logs(api, args)


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if not args.token:
        console.print("error: no token: pass --token or set BULK_ACTIONS_TOKEN")
        return 2
    try:
        return asyncio.run(run(args))
    except ApiError as error:
        console.print(f"error: {error} ({', '.join(str(code) for code in error.codes)})")
    except LocalError as error:
        console.print(f"error: {error}")
    except httpx.TransportError as error:
        console.print(f"error: cannot reach the API at {args.url}: {error or type(error).__name__}")
    except (Closed, OSError) as error:
        console.print(f"error: {error}")
    return 2


if __name__ == "__main__":
    sys.exit(main())
