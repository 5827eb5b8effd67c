"""The `bulk-actions` console script against the running platform."""

import asyncio
import csv
import io
import json
import os
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from app.infra.auth import issue_token
from app.infra.files import uploads

CSV = "email,first_name\r\nada@example.com,Ada\r\nnot-an-email,Bad\r\nalan@example.com,Alan\r\n"


async def cli(api_url: str, token: str | None, *args: str) -> tuple[int, str, str]:
    env = {**os.environ, "BULK_ACTIONS_URL": api_url}
    env.pop("BULK_ACTIONS_TOKEN", None)
    if token:
        env["BULK_ACTIONS_TOKEN"] = token
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "client.cli",
        *args,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def submit(
    api_url: str, token: str, source: Path, action: str, *options: str
) -> tuple[int, str, str]:
    args = ["submit", str(source), "--entity", "contact", "--action", action, *options]
    return await cli(api_url, token, *args)


async def test_submit_watch_status_and_failed_logs(
    api_url: str, account: str, database: None, tmp_path: Path
) -> None:
    token = issue_token(account)
    source = tmp_path / "contacts.csv"
    source.write_text(CSV)

    code, out, err = await submit(api_url, token, source, "insert", "--watch")
    # A row failed validation, so the action ends COMPLETED_WITH_ERRORS: exit code 1.
    assert code == 1, err
    action_id = out.strip()
    assert "COMPLETED_WITH_ERRORS: 2 succeeded, 1 failed, 0 skipped" in err

    code, out, _ = await cli(api_url, token, "status", action_id)
    assert code == 0
    shown = json.loads(out)
    assert (shown["status"], shown["stats"]["succeeded"]) == ("COMPLETED_WITH_ERRORS", 2)

    code, out, _ = await cli(api_url, token, "logs", action_id, "--status", "failed", "--csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [(row["row"], row["reason"]) for row in rows] == [("2", "INVALID")]


async def test_a_clean_file_exits_zero_and_cancel_stops_a_scheduled_one(
    api_url: str, account: str, database: None, tmp_path: Path
) -> None:
    token = issue_token(account)
    source = tmp_path / "clean.csv"
    source.write_text("email\nx1@example.com\nx2@example.com\n")
    code, _, err = await submit(api_url, token, source, "insert", "--watch")
    assert code == 0, err

    code, _, err = await submit(
        api_url, token, source, "upsert", "--at", "2099-01-01T00:00:00+00:00"
    )
    assert code == 2 and "BAD_USER_INPUT" in err  # more than a year ahead

    in_an_hour = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    code, out, err = await submit(api_url, token, source, "upsert", "--at", in_an_hour)
    assert code == 0, err
    action_id = out.strip()
    code, out, _ = await cli(api_url, token, "cancel", action_id)
    assert code == 0
    assert out.split() in ([action_id, "CANCELLING"], [action_id, "CANCELLED"])


async def test_errors_exit_two(api_url: str, database: None) -> None:
    code, _, err = await cli(api_url, None, "status", "x")
    assert code == 2 and "no token" in err
    code, _, err = await cli(
        api_url, issue_token("cli-other"), "status", "0123456789abcdef01234567"
    )
    assert code == 2 and "NOT_FOUND" in err


async def test_local_and_connection_errors_are_one_line_and_exit_two(
    api_url: str, database: None, tmp_path: Path
) -> None:
    account = "cli-local-errors"
    token = issue_token(account)
    source = tmp_path / "contacts.csv"
    source.write_text(CSV)

    code, _, err = await cli("http://127.0.0.1:9", token, "status", "0123456789abcdef01234567")
    assert code == 2 and "cannot reach the API" in err and "Traceback" not in err
    code, _, err = await submit(api_url, token, tmp_path / "missing.csv", "insert")
    assert code == 2 and "no such file" in err
    code, _, err = await cli(
        api_url, token, "submit", str(source), "--entity", "planet", "--action", "insert"
    )
    assert code == 2 and "unknown entity 'planet'" in err and "contact" in err
    code, _, err = await submit(api_url, token, source, "insert", "--at", "tomorrow")
    assert code == 2 and "--at" in err
    # Nothing was uploaded for any of them.
    assert await uploads.db_files().count_documents({"metadata.account_id": account}) == 0
