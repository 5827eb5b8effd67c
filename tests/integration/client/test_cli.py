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
from tests.integration.graphql_client import GraphQLClient

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

    # As a table: the failed rows' file carries their input too, which the table leaves out.
    code, out, err = await cli(api_url, token, "logs", action_id, "--status", "failed")
    assert code == 0, err
    assert out.splitlines()[1].split()[:3] == ["2", "FAILED", "INVALID"]

    # As Excel opens CSV where decimals have a comma.
    options = ["--status", "failed", "--csv", "--decimal-mark", "comma"]
    code, out, _ = await cli(api_url, token, "logs", action_id, *options)
    assert code == 0 and out.splitlines()[0].startswith("row;entity_id;status;")


async def test_download_writes_an_ended_export_s_file(
    api_url: str, account: str, database: None
) -> None:
    """`download ID`: an ended EXPORT's file on stdout, as served, or for a spreadsheet with
    a decimal comma; an action that is no EXPORT is the API's error, exit 2."""
    token = issue_token(account)
    async with GraphQLClient(api_url, token) as gql:
        records = [{"domain": "acme.de", "annual_revenue": 1234.5}]
        await gql.run(entityType="COMPANY", actionType="INSERT", records=records)
        exported = await gql.run(entityType="COMPANY", actionType="EXPORT", filter={"all": True})
        served = await gql.http.get(f"/bulk-actions/{exported['id']}/export.csv")
        code, out, err = await cli(api_url, token, "download", exported["id"])
        assert code == 0, err
        assert out == served.text
        code, out, err = await cli(
            api_url, token, "download", exported["id"], "--decimal-mark", "comma"
        )
        assert code == 0, err
        (header, row) = csv.reader(io.StringIO(out, newline=""), delimiter=";")
        assert row[header.index("annual_revenue")] == "1234,5"
        inserted = await gql.run(entityType="COMPANY", actionType="INSERT", records=records)
        code, _, err = await cli(api_url, token, "download", inserted["id"])
        assert code == 2 and "is not an EXPORT" in err


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


async def test_submit_matches_by_a_custom_field_and_keeps_existing_values(
    api_url: str, account: str, database: None, tmp_path: Path
) -> None:
    """--match-by, --existing-values, --empty-values reach the create as matchBy and the two
    policies."""
    token = issue_token(account)
    async with GraphQLClient(api_url, token) as gql:
        define = "mutation($i: DefineCustomFieldInput!) { defineCustomField(input: $i) { name } }"
        field = {"entityType": "CONTACT", "name": "ext", "kind": "TEXT", "unique": True}
        await gql.data(define, i=field)
        await gql.run(
            entityType="CONTACT",
            actionType="INSERT",
            records=[{"email": "m@example.com", "ext": "M1", "first_name": "Kept"}],
        )
        source = tmp_path / "billing.csv"
        source.write_text("ext,email,first_name,city\r\nM1,m@example.com,New,\r\n")
        code, out, err = await submit(
            api_url,
            token,
            source,
            "upsert",
            "--match-by",
            "ext",
            "--existing-values",
            "keep",
            "--empty-values",
            "clear",
            "--watch",
        )
        assert code == 0, err
        action = await gql.action(out.strip())
        assert action["stats"]["skipped"] == 1  # kept its name; its city was empty already
        (data,) = (await gql.entities("CONTACT", None)).values()
        assert data["first_name"] == "Kept"


async def test_submit_with_a_drip_and_change_its_pace(
    api_url: str, account: str, database: None, tmp_path: Path
) -> None:
    """--drip, --days, --window and --tz reach the create as its DripInput; `drip ID` changes
    the pace and `drip ID off` takes it away; a pace in the wrong notation exits 2 before
    anything is sent."""
    token = issue_token(account)
    source = tmp_path / "paced.csv"
    source.write_text("email\r\n" + "".join(f"d{n}@example.com\r\n" for n in range(3)))
    options = ["--drip", "1/10m", "--days", "mon-fri,sun", "--window", "9:00-17:30"]
    code, out, err = await submit(api_url, token, source, "insert", *options, "--tz", "Asia/Tokyo")
    assert code == 0, err
    action_id = out.strip()
    async with GraphQLClient(api_url, token) as gql:
        shown = (await gql.data(DRIP, id=action_id))["bulkAction"]
        assert shown["drip"] == {
            "batchSize": 1,
            "everySeconds": 600,
            "days": ["MON", "TUE", "WED", "THU", "FRI", "SUN"],
            "window": {"from": "09:00", "to": "17:30"},
            "timeZone": "Asia/Tokyo",
        }
        code, out, err = await cli(api_url, token, "drip", action_id, "2/30s")
        assert code == 0, err
        assert json.loads(out)["drip"]["everySeconds"] == 30
        code, out, err = await cli(api_url, token, "drip", action_id, "off")
        assert code == 0, err
        assert json.loads(out)["drip"] is None
        done = await gql.wait(action_id, timeout=120)
        assert done["stats"]["succeeded"] == 3

    for bad in (["--drip", "fast"], ["--drip", "5/10m", "--days", "MON-FUN"]):
        code, _, err = await submit(api_url, token, source, "insert", *bad)
        assert code == 2 and "error: --d" in err


async def test_submit_names_a_file_s_encoding_decimal_mark_and_date_order(
    api_url: str, account: str, database: None, tmp_path: Path
) -> None:
    """--encoding reaches the upload, --decimal-mark and --date-order the create: a file as a
    German Excel saves it on Windows imports with its letters, its numbers and its days as
    meant; an unknown encoding is refused before the create."""
    token = issue_token(account)
    source = tmp_path / "windows.csv"
    source.write_bytes(
        "email;first_name;score;renewal\r\nzoe@example.com;Zoë;1.000;1/2/2027\r\n".encode("cp1252")
    )
    options = ["--encoding", "windows-1252", "--decimal-mark", "comma", "--date-order", "day-first"]
    async with GraphQLClient(api_url, token) as gql:
        define = "mutation($i: DefineCustomFieldInput!) { defineCustomField(input: $i) { name } }"
        await gql.data(define, i={"entityType": "CONTACT", "name": "renewal", "kind": "DATE"})
        code, _, err = await submit(api_url, token, source, "insert", *options, "--watch")
        assert code == 0, err
        (data,) = (await gql.entities("CONTACT", None)).values()
        assert (data["first_name"], data["score"], data["renewal"]) == ("Zoë", 1000, "2027-02-01")
        code, _, err = await submit(api_url, token, source, "insert", "--encoding", "utf-16")
        assert code == 2 and "Unknown file encoding 'utf-16'" in err
        assert (await gql.data("{ bulkActions { totalCount } }"))["bulkActions"]["totalCount"] == 1


DRIP = """
query($id: ID!) {
  bulkAction(id: $id) { drip { batchSize everySeconds days window { from to } timeZone } }
}
"""


async def test_an_api_key_works_as_the_cli_token(
    api_url: str, account: str, database: None, tmp_path: Path
) -> None:
    """BULK_ACTIONS_TOKEN may be an API key: its scopes hold (a read-only key reads an action
    and cannot submit one)."""
    async with GraphQLClient(api_url, issue_token(account)) as gql:
        action = await gql.run(
            entityType="CONTACT", actionType="INSERT", records=[{"email": "k@example.com"}]
        )
        made = await gql.data(
            'mutation { createApiKey(name: "cli", scopes: [BULK_READ]) { secret } }'
        )
    key = made["createApiKey"]["secret"]
    code, out, err = await cli(api_url, key, "status", action["id"])
    assert code == 0, err
    assert json.loads(out)["status"] == "COMPLETED"
    source = tmp_path / "k.csv"
    source.write_text("email\r\nz@example.com\r\n")
    code, _, err = await submit(api_url, key, source, "insert")
    assert code == 2 and "FORBIDDEN" in err
