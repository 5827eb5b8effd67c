"""The CSV files the platform serves cannot attack a spreadsheet (OWASP "CSV Injection"): in
an export and in logs.csv no cell starts a formula, a cell holding a carriage return is quoted,
and an exported file imported back with UPSERT leaves every entity exactly as it was."""

import csv
import hashlib
import io
import json

from bson import ObjectId

from app.domain.entities.contact import Contact
from app.domain.spreadsheet_cells import FORMULA_STARTS, NUMBER, from_spreadsheet
from tests.integration.factories import seed_contacts
from tests.integration.graphql_client import GraphQLClient, upload
from tests.spreadsheet_attacks import FORMULAS, QUOTED

HOSTILE = FORMULAS + QUOTED


def safe(cell: str) -> bool:
    return not cell.startswith(FORMULA_STARTS) or NUMBER.fullmatch(cell) is not None


def rows_of(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


async def content(account: str) -> str:
    """A hash of the account's contacts: id, key and data."""
    found = Contact.get_pymongo_collection().find({"account_id": account}).sort("_id", 1)
    entities = [(str(d["_id"]), d["key"], d["data"]) async for d in found]
    return hashlib.sha256(json.dumps(entities, sort_keys=True).encode()).hexdigest()


async def test_an_export_opens_as_text_and_imports_back_unchanged(
    gql: GraphQLClient, account: str
) -> None:
    """Every column kind: the key, text fields, a list, a number (negative), a boolean, a
    choice; written through the platform, so stored as its validation keeps them."""
    records = [
        {
            "email": f"{'=+-'[n % 3]}h{n}@example.com",
            "first_name": value,
            "last_name": f"{value} {n}",
            "phone": value[:50],
            "tags": [value, "vip"],
            "score": -n,
            "unsubscribed": n % 2 == 0,
            "lifecycle_stage": "lead",
        }
        for n, value in enumerate(HOSTILE)
    ]
    inserted = await gql.run(entityType="CONTACT", actionType="INSERT", records=records)
    assert inserted["stats"]["succeeded"] == len(HOSTILE)
    before = await content(account)

    exported = await gql.run(entityType="CONTACT", actionType="EXPORT", filter={"all": True})
    assert exported["stats"]["succeeded"] == len(HOSTILE)
    response = await gql.http.get(f"/bulk-actions/{exported['id']}/export.csv")
    assert response.status_code == 200
    rows = rows_of(response.text)
    assert len(rows) == len(HOSTILE) + 1  # the carriage returns inside cells are quoted
    assert [cell for row in rows for cell in row if not safe(cell)] == []
    assert any(cell == "'=cmd|' /C calc'!A0" for row in rows for cell in row)

    imported = await gql.run(
        entityType="CONTACT", actionType="UPSERT", uploadId=await upload_id(gql, response.content)
    )
    # Every value read back as it was: each row finds its entity already as it says.
    stats = imported["stats"]
    assert (stats["succeeded"], stats["failed"], stats["skipped"]) == (0, 0, len(HOSTILE))
    assert await content(account) == before


async def test_logs_csv_opens_as_text_and_its_input_retries_as_it_was(
    gql: GraphQLClient, account: str
) -> None:
    """Failed rows carry their input: every cell is safe, a carriage return inside a cell is
    quoted, and the file given to a retry means what the original file meant (here an UPDATE
    whose targets did not exist yet, retried once they do)."""
    ids = [ObjectId() for _ in HOSTILE]
    lines = [["id", "first_name"]] + [[str(i), v] for i, v in zip(ids, HOSTILE, strict=True)]
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(lines)  # a lone \r is quoted
    created = await gql.run(
        entityType="CONTACT",
        actionType="UPDATE",
        uploadId=await upload_id(gql, buffer.getvalue().encode()),
    )
    assert created["stats"]["failed"] == len(HOSTILE)

    response = await gql.http.get(
        f"/bulk-actions/{created['id']}/logs.csv", params={"status": "FAILED"}
    )
    rows = rows_of(response.text)
    assert len(rows) == len(HOSTILE) + 1  # carriage returns inside cells are quoted
    assert [cell for row in rows for cell in row if not safe(cell)] == []

    await seed_contacts(account, [{}] * len(ids), key=lambda n: f"r{n}@example.com", ids=ids)
    retried = await gql.data(
        "mutation($id: ID!, $u: ID!) { retryBulkAction(id: $id, uploadId: $u) { id } }",
        id=created["id"],
        u=await upload_id(gql, response.content),
    )
    ended = await gql.wait(retried["retryBulkAction"]["id"])
    assert ended["stats"]["succeeded"] == len(HOSTILE)
    # What the original import read (an escaped `'=…` stands for `=…`), as its validation keeps it.
    wanted = [from_spreadsheet(value).strip() for value in HOSTILE]
    stored = await gql.entities("CONTACT", [str(i) for i in ids])
    assert [stored[str(i)].get("first_name") for i in ids] == wanted


async def upload_id(gql: GraphQLClient, content: bytes) -> str:
    answer = await upload(gql, content)
    assert answer.status_code == 201, answer.text
    return str(answer.json()["uploadId"])


async def test_files_for_excel_start_with_the_bom_and_its_resave_retries(
    gql: GraphQLClient, account: str
) -> None:
    """`?bom=true` starts a served CSV with UTF-8's byte order mark, without which Excel reads
    it in the computer's older code page ("JosÃ©"). The round trip an operator makes: the
    failed rows opened in Excel, corrected, saved as Excel saves CSV on Windows in much of
    Europe (Windows-1252, no BOM, separated by ';'), uploaded naming that, and retried: the
    letters arrive intact."""
    sheet = "email,first_name\r\nnot-an-email,José\r\n"
    created = await gql.run(
        entityType="CONTACT", actionType="INSERT", uploadId=await upload_id(gql, sheet.encode())
    )
    assert created["stats"]["failed"] == 1
    plain = await gql.http.get(
        f"/bulk-actions/{created['id']}/logs.csv", params={"status": "FAILED"}
    )
    marked = await gql.http.get(
        f"/bulk-actions/{created['id']}/logs.csv", params={"status": "FAILED", "bom": "true"}
    )
    assert not plain.content.startswith(b"\xef\xbb\xbf")
    assert marked.content == b"\xef\xbb\xbf" + plain.content
    refused = await gql.http.get(f"/bulk-actions/{created['id']}/logs.csv", params={"bom": "x"})
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "BAD_USER_INPUT"

    corrected = marked.content.decode("utf-8-sig").replace("not-an-email", "jose@example.com")
    # Saved by an Excel where the comma is the decimal mark: separated by ';' too.
    rows = list(csv.reader(io.StringIO(corrected, newline="")))
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";", lineterminator="\r\n").writerows(rows)
    resaved = await gql.http.post(
        "/uploads", params={"encoding": "windows-1252"}, content=buffer.getvalue().encode("cp1252")
    )
    assert resaved.status_code == 201, resaved.text
    retried = await gql.data(
        "mutation($id: ID!, $u: ID!) { retryBulkAction(id: $id, uploadId: $u) { id } }",
        id=created["id"],
        u=resaved.json()["uploadId"],
    )
    ended = await gql.wait(retried["retryBulkAction"]["id"])
    assert ended["stats"]["succeeded"] == 1, ended
    (contact,) = (await gql.entities("CONTACT", None)).values()
    assert (contact["email"], contact["first_name"]) == ("jose@example.com", "José")

    exported = await gql.run(entityType="CONTACT", actionType="EXPORT", filter={"all": True})
    file = await gql.http.get(f"/bulk-actions/{exported['id']}/export.csv", params={"bom": "1"})
    assert file.content.startswith(b"\xef\xbb\xbf") and "José" in file.content.decode("utf-8-sig")


async def test_files_for_a_decimal_comma_open_as_excel_there_saves_them_and_import_back(
    gql: GraphQLClient,
) -> None:
    """`?decimalMark=comma`: an export and logs.csv as Excel saves and opens CSV where the
    comma is the decimal mark (values separated by ';', numbers with a decimal comma). The
    export imported back with `decimalMark: COMMA` leaves every company as it was."""
    define = "mutation($i: DefineCustomFieldInput!) { defineCustomField(input: $i) { name } }"
    await gql.data(define, i={"entityType": "COMPANY", "name": "margin", "kind": "NUMBER"})
    revenues = [1234.5, 0.1, 1e20, 2.5e-7, 1234567.89]
    records = [
        {
            "domain": f"c{n}.de",
            "name": f"Firma {n}; Söhne",
            "annual_revenue": revenue,
            "employee_count": 1000 * n,
            "margin": -revenue / 3,
        }
        for n, revenue in enumerate(revenues)
    ]
    inserted = await gql.run(entityType="COMPANY", actionType="INSERT", records=records)
    assert inserted["stats"]["succeeded"] == len(records)
    before = await gql.entities("COMPANY", None)

    exported = await gql.run(entityType="COMPANY", actionType="EXPORT", filter={"all": True})
    file = await gql.http.get(
        f"/bulk-actions/{exported['id']}/export.csv", params={"decimalMark": "comma"}
    )
    assert file.status_code == 200, file.text
    rows = list(csv.reader(io.StringIO(file.text, newline=""), delimiter=";"))
    header = rows[0]
    first = next(row for row in rows if row[header.index("domain")] == "c0.de")
    assert first[header.index("annual_revenue")] == "1234,5"
    assert first[header.index("name")] == "Firma 0; Söhne"
    refused = await gql.http.get(
        f"/bulk-actions/{exported['id']}/export.csv", params={"decimalMark": "dot"}
    )
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "BAD_USER_INPUT"

    imported = await gql.run(
        entityType="COMPANY",
        actionType="UPSERT",
        uploadId=await upload_id(gql, file.content),
        decimalMark="COMMA",
    )
    stats = imported["stats"]
    assert (stats["succeeded"], stats["failed"], stats["skipped"]) == (0, 0, len(records)), [
        log["message"] for log in await gql.all_logs(imported["id"], "FAILED")
    ]
    assert await gql.entities("COMPANY", None) == before

    failed = await gql.run(
        entityType="COMPANY",
        actionType="INSERT",
        uploadId=await upload_id(gql, b"domain,name\r\nnope,X\r\n"),
    )
    logs = await gql.http.get(
        f"/bulk-actions/{failed['id']}/logs.csv",
        params={"status": "FAILED", "decimalMark": "comma"},
    )
    (log_header, log_row) = csv.reader(io.StringIO(logs.text, newline=""), delimiter=";")
    assert log_header[:3] == ["row", "entity_id", "status"] and log_row[2] == "FAILED"
    assert log_row[log_header.index("domain")] == "nope"
