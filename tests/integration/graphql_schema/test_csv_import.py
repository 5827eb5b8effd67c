"""CSV input: GraphQL multipart and POST /uploads, parsing, limits, and the logs.csv export."""

import csv
import io
from collections import Counter
from typing import Any

import httpx
import pytest

from app.infra.mongo import db
from tests.integration.graphql_client import CREATE, GraphQLClient, multipart_create, upload
from tests.support.contacts_csv import lines, plan

TRICKY = (
    "\ufeffEmail Address,first_name,company,score\r\n"
    '"ada@example.com",Ada,"Analytical, Engines",1\r\n'
    'grace@example.com,Grace,"Navy\r\nLab",2\r\n'
    "bad-email,Nope,,3\r\n"
    "ADA@example.com ,Ada again,,4\r\n"
    "linus@example.com,Linus,,not-a-number\r\n"
    "too@few.com\r\n"
    "\r\n"
    "ken@example.com,Ken,Bell,5"
)


async def insert_from(gql: GraphQLClient, uploaded: httpx.Response) -> dict[str, Any]:
    input = {
        "entityType": "CONTACT",
        "actionType": "INSERT",
        "uploadId": uploaded.json()["uploadId"],
    }
    return await gql.execute(CREATE, input=input)


async def test_multipart_upload_with_bom_crlf_quotes_and_bad_rows(gql: GraphQLClient) -> None:
    body = await multipart_create(
        gql,
        TRICKY.encode(),
        entityType="CONTACT",
        actionType="INSERT",
        columnMap={"Email Address": "email"},
    )
    assert "errors" not in body, body
    action = await gql.wait(body["data"]["createBulkAction"]["id"])
    stats = action["stats"]
    assert (stats["total"], stats["succeeded"], stats["failed"], stats["skipped"]) == (7, 3, 3, 1)

    logs = {log["row"]: log for log in await gql.all_logs(action["id"])}
    assert {row: (log["status"], log["reason"]) for row, log in logs.items()} == {
        1: ("SUCCESS", "INSERTED"),
        2: ("SUCCESS", "INSERTED"),
        3: ("FAILED", "INVALID"),
        4: ("SKIPPED", "DUPLICATE_IN_INPUT"),
        5: ("FAILED", "INVALID"),
        6: ("FAILED", "INVALID"),
        7: ("SUCCESS", "INSERTED"),
    }
    assert "not a valid email" in logs[3]["message"]
    assert "score" in logs[5]["message"]
    assert "Expected 4 values, found 1" in logs[6]["message"]
    stored = await gql.entities("CONTACT", [logs[1]["entityId"], logs[2]["entityId"]])
    assert stored[logs[1]["entityId"]]["company"] == "Analytical, Engines"
    assert stored[logs[2]["entityId"]]["company"] == "Navy\r\nLab"

    export = await gql.http.get(
        f"/bulk-actions/{action['id']}/logs.csv", params={"status": "failed"}
    )
    assert export.status_code == 200
    exported = list(csv.DictReader(io.StringIO(export.text)))
    assert [(int(r["row"]), r["reason"], r["message"]) for r in exported] == [
        (row, logs[row]["reason"], logs[row]["message"]) for row in (3, 5, 6)
    ]


async def test_uploads_endpoint_raw_and_multipart(gql: GraphQLClient) -> None:
    raw = await upload(gql, b"id\r\n")
    assert raw.status_code == 201
    assert raw.json()["rows"] == 0
    content = b"domain,name\nacme.com,Acme\nglobex.io,Globex\n"
    multipart = await gql.http.post("/uploads", files={"file": ("c.csv", content, "text/csv")})
    assert multipart.status_code == 201, multipart.text
    assert multipart.json()["rows"] == 2
    action = await gql.run(
        entityType="COMPANY", actionType="UPSERT", uploadId=multipart.json()["uploadId"]
    )
    assert action["stats"]["succeeded"] == 2


async def test_bad_files_fail_the_create_before_any_work(gql: GraphQLClient) -> None:
    cases = {
        b"email,favourite_colour\na@b.co,red\n": "unknown columns",
        b"first_name\nAda\n": "needs the columns ['email']",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR": "Not a readable CSV",
        b"": "empty",
    }
    for content, expected in cases.items():
        uploaded = await upload(gql, content)
        body = await insert_from(gql, uploaded)
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", content
        assert expected in body["errors"][0]["message"], body
    assert (await gql.data("{ bulkActions { totalCount } }"))["bulkActions"]["totalCount"] == 0


async def test_another_accounts_upload_is_not_found(
    gql: GraphQLClient, other_gql: GraphQLClient
) -> None:
    uploaded = await upload(gql, b"email\na@b.co\n")
    body = await insert_from(other_gql, uploaded)
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"


async def stored_uploads(account: str) -> int:
    files = db.current_database()["uploads.files"]
    return await files.count_documents({"metadata.account_id": account})


async def test_oversize_is_rejected_and_nothing_is_stored(gql: GraphQLClient, account: str) -> None:
    too_big = b"email\n" + b"x" * (12 * 1024 * 1024)
    response = await upload(gql, too_big)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "PAYLOAD_TOO_LARGE"
    too_many = b"email\n" + b"".join(b"r%d@example.com\n" % i for i in range(150_001))
    response = await upload(gql, too_many)
    assert response.status_code == 413
    assert "rows" in response.json()["error"]["message"]
    body = await multipart_create(gql, too_big, entityType="CONTACT", actionType="INSERT")
    assert body["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"
    assert await stored_uploads(account) == 0
    chunks = db.current_database()["uploads.chunks"]
    assert await chunks.count_documents({"n": {"$gte": 40}}) == 0


@pytest.mark.slow(3)
async def test_100k_row_import_end_to_end(gql: GraphQLClient) -> None:
    rows = 100_000
    content = "".join(lines(rows, duplicates=0.02, bad=0.01)).encode()
    _, expected = plan(rows, duplicates=0.02, bad=0.01)
    uploaded = await upload(gql, content)
    assert uploaded.json()["rows"] == rows
    action = await gql.create(
        entityType="CONTACT", actionType="INSERT", uploadId=uploaded.json()["uploadId"]
    )
    done = await gql.wait(action["id"], timeout=900)
    stats = done["stats"]
    assert stats["total"] == rows
    assert (stats["succeeded"], stats["failed"], stats["skipped"]) == (
        expected.good,
        expected.bad,
        expected.duplicates,
    )
    assert done["status"] == "COMPLETED_WITH_ERRORS"
    skipped = await gql.all_logs(action["id"], status="SKIPPED")
    assert len(skipped) == expected.duplicates
    assert Counter(log["reason"] for log in skipped) == {"DUPLICATE_IN_INPUT": expected.duplicates}
    count = await gql.data("{ entities(entityType: CONTACT, first: 1) { totalCount } }")
    assert count["entities"]["totalCount"] == expected.good


async def test_logs_csv_needs_the_callers_token_and_a_known_status(
    gql: GraphQLClient, other_gql: GraphQLClient, api_url: str
) -> None:
    action = await gql.run(
        entityType="CONTACT", actionType="INSERT", records=[{"email": "csv@example.com"}]
    )
    path = f"/bulk-actions/{action['id']}/logs.csv"
    async with httpx.AsyncClient(base_url=api_url) as anonymous:
        assert (await anonymous.get(path)).status_code == 401
    assert (await other_gql.http.get(path)).status_code == 404
    assert (await gql.http.get(path, params={"status": "maybe"})).status_code == 400
    rows = list(csv.DictReader(io.StringIO((await gql.http.get(path)).text)))
    assert [(r["row"], r["status"], r["reason"]) for r in rows] == [("1", "SUCCESS", "INSERTED")]


@pytest.mark.parametrize(
    ("bad", "says"),
    [
        (b"caf\xe9@example.com,Latin-1\n", "not UTF-8"),
        (b"nul@example.com,x\x00y\n", "NUL"),
        (b'quote@example.com,"never closed\n', "not well-formed"),
    ],
)
async def test_an_unreadable_row_12001_fails_alone_and_the_counts_match(
    gql: GraphQLClient, account: str, bad: bytes, says: str
) -> None:
    tag = says.split()[0].lower()
    good = b"".join(b"%s%d@example.com,N\n" % (tag.encode(), n) for n in range(12_000))
    uploaded = await upload(gql, b"email,first_name\n" + good + bad)
    assert uploaded.status_code == 201, uploaded.text
    created = await insert_from(gql, uploaded)
    assert "errors" not in created, created
    action = await gql.wait(created["data"]["createBulkAction"]["id"])
    stats = action["stats"]
    assert action["status"] == "COMPLETED_WITH_ERRORS"
    assert (stats["total"], stats["succeeded"], stats["failed"]) == (12_001, 12_000, 1)
    failed = await gql.all_logs(action["id"], status="FAILED")
    assert [(log["row"], log["reason"]) for log in failed] == [(12_001, "INVALID")]
    assert says in failed[0]["message"]
    stored = await db.current_database()["contacts"].count_documents({"account_id": account})
    assert stored == 12_000


async def test_a_cell_over_128_kb_fails_only_its_row(gql: GraphQLClient) -> None:
    rows = [b"cell%d@example.com,N\n" % n for n in range(1500)]
    rows[1200] = b"cell1200@example.com," + b"x" * 200_000 + b"\n"  # in the third chunk
    uploaded = await upload(gql, b"email,first_name\n" + b"".join(rows))
    created = await insert_from(gql, uploaded)
    assert "errors" not in created, created
    action = await gql.wait(created["data"]["createBulkAction"]["id"])
    stats = action["stats"]
    assert (stats["total"], stats["succeeded"], stats["failed"]) == (1500, 1499, 1)
    failed = await gql.all_logs(action["id"], status="FAILED")
    assert [(log["row"], log["reason"]) for log in failed] == [(1201, "INVALID")]


async def test_a_281_kb_email_in_row_7_of_30_fails_alone_and_the_counts_match(
    gql: GraphQLClient, account: str
) -> None:
    """A key over RFC 5321's 254 characters is refused by validation, naming the limit: it
    never reaches the database, whose index would refuse the chunk's insert (once, every row
    of the chunk was logged FAILED while six of them had been written)."""
    rows = [b"poison%d@example.com,N\n" % n for n in range(30)]
    rows[6] = b"x" * 281_000 + b"@example.com,N\n"
    created = await insert_from(gql, await upload(gql, b"email,first_name\n" + b"".join(rows)))
    assert "errors" not in created, created
    action = await gql.wait(created["data"]["createBulkAction"]["id"])
    stats = action["stats"]
    assert (stats["total"], stats["succeeded"], stats["failed"]) == (30, 29, 1)
    failed = await gql.all_logs(action["id"], status="FAILED")
    assert [(log["row"], log["reason"]) for log in failed] == [(7, "INVALID")]
    assert "at most 254" in failed[0]["message"] and len(failed[0]["message"]) < 200
    stored = await db.current_database()["contacts"].count_documents({"account_id": account})
    assert stored == 29


@pytest.mark.parametrize(
    ("entity", "collection", "header", "cells"),
    [
        ("CONTACT", "contacts", "email,score", ["99999999999999999999999", "-9223372036854775809"]),
        ("LEAD", "leads", "email,estimated_value", ["1e999", "inf", "-Infinity", "nan"]),
        (
            "COMPANY",
            "companies",
            "domain,employee_count,annual_revenue",
            ["9223372036854775808,", ",inf"],
        ),
    ],
)
async def test_a_number_the_database_cannot_store_fails_only_its_row(
    gql: GraphQLClient, account: str, entity: str, collection: str, header: str, cells: list[str]
) -> None:
    """A CSV cell's text read as a number the platform does not store (an integer over 64
    bits, an infinite or NaN decimal) is refused by validation, naming the field, as the same
    value given as JSON is. Such an integer once reached the write, which the driver cannot
    encode: the row failed its whole chunk after every retry, every row of it logged FAILED
    and none written."""
    at = "." if entity == "COMPANY" else "@"  # its key: a domain, or an email
    good = "1,2" if entity == "COMPANY" else "3"
    rows = [f"n{n}{at}example.com,{good}" for n in range(30)]
    bad_rows = {5 + 7 * n: f"n{5 + 7 * n}{at}example.com,{cell}" for n, cell in enumerate(cells)}
    for number, row in bad_rows.items():
        rows[number] = row
    uploaded = await upload(gql, f"{header}\n{chr(10).join(rows)}\n".encode())
    input = {"entityType": entity, "actionType": "INSERT", "uploadId": uploaded.json()["uploadId"]}
    created = await gql.execute(CREATE, input=input)
    assert "errors" not in created, created
    action = await gql.wait(created["data"]["createBulkAction"]["id"])
    stats = action["stats"]
    bad = len(cells)
    assert (stats["total"], stats["succeeded"], stats["failed"]) == (30, 30 - bad, bad)
    failed = await gql.all_logs(action["id"], status="FAILED")
    assert [(log["row"], log["reason"]) for log in failed] == [
        (number + 1, "INVALID") for number in sorted(bad_rows)
    ]
    named = header.split(",")[1:]
    assert all(log["message"].split(":")[0] in named for log in failed), failed
    stored = await db.current_database()[collection].count_documents({"account_id": account})
    assert stored == 30 - bad


async def test_a_sheet_s_stray_empty_columns_and_trailing_commas_are_ignored(
    gql: GraphQLClient,
) -> None:
    """As spreadsheets save a sheet whose cells were once formatted wider: columns without a
    name (ignored, whatever they hold), rows with empty cells past the header (left out) or
    ending before its nameless columns. A row with a value past the header, or ending before
    a column read, still fails alone: its cells may have moved."""
    sheet = (
        "email,first_name,,\r\n"
        "ada@example.com,Ada,,\r\n"
        "bob@example.com,Bob,,,,\r\n"
        "cy@example.com,Cy,note,\r\n"
        "di@example.com,Di,,,Zed\r\n"
        "ed@example.com,Ed\r\n"
        "fay@example.com\r\n"
    )
    body = await multipart_create(gql, sheet.encode(), entityType="CONTACT", actionType="INSERT")
    assert "errors" not in body, body
    action = await gql.wait(body["data"]["createBulkAction"]["id"])
    logs = {log["row"]: log for log in await gql.all_logs(action["id"])}
    assert {row: log["reason"] for row, log in logs.items()} == {
        1: "INSERTED",
        2: "INSERTED",
        3: "INSERTED",
        4: "INVALID",
        5: "INSERTED",
        6: "INVALID",
    }
    assert "Expected 4 values, found 5" in logs[4]["message"]
    assert "Expected 4 values, found 1" in logs[6]["message"]
    stored = await gql.entities("CONTACT", [logs[row]["entityId"] for row in (1, 2, 3, 5)])
    assert sorted(entity["first_name"] for entity in stored.values()) == ["Ada", "Bob", "Cy", "Ed"]


async def test_a_file_whose_lines_end_with_carriage_returns_alone_imports(
    gql: GraphQLClient,
) -> None:
    """As Excel's "CSV (Macintosh)" and classic Mac tools save it: counted and read as the
    same file with line feeds (it was one malformed row, and the create refused it); a
    carriage return in a quoted cell becomes a line feed."""
    sheet = b'email,first_name,company\raa@example.com,Aa,"Two\rlines"\rbb@example.com,Bb,\r'
    uploaded = await upload(gql, sheet)
    assert uploaded.status_code == 201, uploaded.text
    assert uploaded.json()["rows"] == 2
    action = await gql.run(
        entityType="CONTACT", actionType="INSERT", uploadId=uploaded.json()["uploadId"]
    )
    assert action["stats"]["succeeded"] == 2, action
    logs = await gql.all_logs(action["id"])
    stored = await gql.entities("CONTACT", [log["entityId"] for log in logs])
    assert sorted((entity["email"], entity.get("company")) for entity in stored.values()) == [
        ("aa@example.com", "Two\nlines"),
        ("bb@example.com", None),
    ]


# As Excel saves "José Müller" on Windows ("CSV (Comma delimited)": Windows-1252) and on a Mac
# ("CSV (Macintosh)": Mac Roman, each line ended by a carriage return alone).
ACCENTED = "email,first_name,last_name\r\njosé@example.com,José,Müller … “Zoë”\r\n"


async def accented_names(gql: GraphQLClient, action: dict[str, Any]) -> list[tuple[str, str]]:
    assert action["stats"]["succeeded"] == 1, action
    logs = await gql.all_logs(action["id"])
    stored = await gql.entities("CONTACT", [log["entityId"] for log in logs])
    return [(entity["first_name"], entity["last_name"]) for entity in stored.values()]


async def test_a_windows_1252_or_mac_roman_file_named_so_imports_with_its_letters(
    gql: GraphQLClient,
) -> None:
    """Each row of such a file failed, not UTF-8: named by `?encoding=`, a multipart field
    or `fileEncoding`, it is stored as UTF-8 and every reader reads its letters."""
    windows = ACCENTED.encode("cp1252")
    mac = ACCENTED.replace("\r\n", "\r").encode("mac_roman")
    sent = [
        await gql.http.post("/uploads", params={"encoding": "windows-1252"}, content=windows),
        await gql.http.post(
            "/uploads",
            data={"encoding": "macintosh"},
            files={"file": ("mac.csv", mac, "text/csv")},
        ),
    ]
    for uploaded in sent:
        assert uploaded.status_code == 201, uploaded.text
        assert uploaded.json()["rows"] == 1
        action = await gql.run(
            entityType="CONTACT", actionType="INSERT", uploadId=uploaded.json()["uploadId"]
        )
        assert await accented_names(gql, action) == [("José", "Müller … “Zoë”")]
        await gql.run(entityType="CONTACT", actionType="DELETE", filter={"all": True})
    body = await multipart_create(
        gql, windows, entityType="CONTACT", actionType="INSERT", fileEncoding="WINDOWS_1252"
    )
    assert "errors" not in body, body
    action = await gql.wait(body["data"]["createBulkAction"]["id"])
    assert await accented_names(gql, action) == [("José", "Müller … “Zoë”")]


async def test_a_utf8_file_named_as_windows_1252_or_an_unknown_encoding_keeps_nothing(
    gql: GraphQLClient, account: str
) -> None:
    """Converted, every accented letter would be stored garbled ("JosÃ©"): refused whole."""
    utf8 = ACCENTED.encode()
    uploaded = await gql.http.post("/uploads", params={"encoding": "latin1"}, content=utf8)
    assert uploaded.status_code == 400
    assert uploaded.json()["error"]["code"] == "BAD_USER_INPUT"
    assert "The file is UTF-8 text, not windows-1252" in uploaded.json()["error"]["message"]
    unknown = await gql.http.post("/uploads", params={"encoding": "ebcdic"}, content=utf8)
    assert unknown.status_code == 400
    assert "one of utf-8, windows-1252, macintosh" in unknown.json()["error"]["message"]
    body = await multipart_create(
        gql, utf8, entityType="CONTACT", actionType="INSERT", fileEncoding="MAC_ROMAN"
    )
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", body
    records = await gql.execute(
        CREATE,
        input={
            "entityType": "CONTACT",
            "actionType": "INSERT",
            "records": [{"email": "a@b.co"}],
            "fileEncoding": "WINDOWS_1252",
        },
    )
    assert records["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", records
    assert "`fileEncoding` is the encoding of `file`" in records["errors"][0]["message"]
    assert await stored_uploads(account) == 0
    assert (await gql.data("{ bulkActions { totalCount } }"))["bulkActions"]["totalCount"] == 0


async def test_a_sheet_saved_by_a_european_excel_or_as_unicode_text_imports(
    gql: GraphQLClient,
) -> None:
    """Where the comma is the decimal mark, Excel separates CSV values with ';' (a German
    one in Windows-1252, too); its "Unicode Text" is UTF-16 separated by tabs. Both are
    stored as UTF-8 separated by commas, told from the file itself, their values as they
    were: a value holding a comma, a quoted ';', a line break."""
    german = (
        'E-Mail;Vorname;Firma\r\njürgen@example.de;Jürgen;"Müller; Söhne"\r\n'
        'grete@example.de;Grete;"Bäcker, Meyer\r\n& Co"\r\n'
    ).encode("cp1252")
    unicode_text = "\ufeffemail\tfirst_name\tcompany\r\nzoë@example.com\tZoë\tA, B\r\n"
    sent = [
        (german, {"encoding": "windows-1252"}, {"Vorname": "first_name", "Firma": "company"}),
        (unicode_text.encode("utf-16-le"), {}, None),
    ]
    found = []
    for content, params, column_map in sent:
        uploaded = await gql.http.post("/uploads", params=params, content=content)
        assert uploaded.status_code == 201, uploaded.text
        input: dict[str, Any] = {"uploadId": uploaded.json()["uploadId"]}
        if column_map:
            input["columnMap"] = column_map
        action = await gql.run(entityType="CONTACT", actionType="INSERT", **input)
        logs = await gql.all_logs(action["id"])
        assert [log["status"] for log in logs] == ["SUCCESS"] * len(logs), logs
        stored = await gql.entities("CONTACT", [log["entityId"] for log in logs])
        found += [(e["email"], e["first_name"], e["company"]) for e in stored.values()]
    assert sorted(found) == [
        ("grete@example.de", "Grete", "Bäcker, Meyer\r\n& Co"),
        ("jürgen@example.de", "Jürgen", "Müller; Söhne"),
        ("zoë@example.com", "Zoë", "A, B"),
    ]


async def test_rows_of_empty_cells_are_no_rows_as_blank_lines_are_not(gql: GraphQLClient) -> None:
    """A sheet saves rows formatted but never filled as empty cells (`,,,`): each failed as
    a row without an email, burying the file's real failures. They are skipped as blank
    lines are, in planning, in the chunks and in logs.csv alike; a row of quoted empty
    values was written on purpose and fails INVALID."""
    sheet = (
        "email,first_name,company\r\n,,\r\naa@example.com,Aa,\r\n , ,\t\r\n"
        'bad,Bad,\r\n"",,\r\nbb@example.com,Bb,\r\n' + ",,\r\n" * 200
    )
    uploaded = await upload(gql, sheet.encode())
    assert uploaded.json()["rows"] == 4  # as the action counts them
    action = await gql.run(
        entityType="CONTACT", actionType="INSERT", uploadId=uploaded.json()["uploadId"]
    )
    assert action["stats"]["total"] == 4, action
    logs = await gql.all_logs(action["id"])
    assert [(log["row"], log["status"]) for log in logs] == [
        (1, "SUCCESS"),
        (2, "FAILED"),
        (3, "FAILED"),
        (4, "SUCCESS"),
    ]
    export = await gql.http.get(
        f"/bulk-actions/{action['id']}/logs.csv", params={"status": "failed"}
    )
    failed = list(csv.DictReader(io.StringIO(export.text)))
    assert [(row["row"], row["email"]) for row in failed] == [("2", "bad"), ("3", "")]


RETRY_AS_IT_WAS = "mutation($id: ID!) { retryBulkAction(id: $id) { id decimalMark dateOrder } }"
DEFINE = "mutation($i: DefineCustomFieldInput!) { defineCustomField(input: $i) { name } }"


async def test_a_sheet_with_decimal_commas_imports_its_numbers_as_meant(
    gql: GraphQLClient,
) -> None:
    """`decimalMark: COMMA` reads a German sheet's `1.234.567,89` and `1.000` as the numbers
    meant, and `dateOrder: DAY_FIRST` its `1/2/2020` as the 1st of February; a cell with a
    decimal point fails alone, saying why, and so again in a retry, which reads its rows as
    its action did."""
    await gql.data(DEFINE, i={"entityType": "COMPANY", "name": "founded", "kind": "DATE"})
    sheet = (
        "Domain;Name;Annual Revenue;Employees;Founded\r\n"
        "acme.de;Acme;1.234.567,89;1.000;1/2/2020\r\n"
        "beta.de;Beta 1,5;12,5;7;31/12/1999\r\n"
        "gamma.de;Gamma;1.5;3;\r\n"
    ).encode("cp1252")
    uploaded = await gql.http.post("/uploads", params={"encoding": "windows-1252"}, content=sheet)
    assert uploaded.status_code == 201, uploaded.text
    action = await gql.run(
        entityType="COMPANY",
        actionType="INSERT",
        uploadId=uploaded.json()["uploadId"],
        decimalMark="COMMA",
        dateOrder="DAY_FIRST",
    )
    assert (action["stats"]["succeeded"], action["stats"]["failed"]) == (2, 1)
    logs = {log["row"]: log for log in await gql.all_logs(action["id"])}
    said = "annual_revenue: '1.5' is not a number written with a decimal comma"
    assert logs[3]["status"] == "FAILED" and said in logs[3]["message"]
    stored = await gql.entities("COMPANY", [logs[1]["entityId"], logs[2]["entityId"]])
    assert sorted(
        (e["domain"], e["name"], e["annual_revenue"], e["employee_count"], e["founded"])
        for e in stored.values()
    ) == [
        ("acme.de", "Acme", 1234567.89, 1000, "2020-02-01"),
        ("beta.de", "Beta 1,5", 12.5, 7, "1999-12-31"),
    ]
    retried = (await gql.data(RETRY_AS_IT_WAS, id=action["id"]))["retryBulkAction"]
    assert (retried["decimalMark"], retried["dateOrder"]) == ("COMMA", "DAY_FIRST")
    again = await gql.wait(retried["id"])
    assert (again["stats"]["succeeded"], again["stats"]["failed"]) == (0, 1)
    assert said in (await gql.all_logs(again["id"]))[0]["message"]
