"""Custom fields over the real path (GraphQL → Dramatiq → Mongo): defined per account, used
by name wherever a built-in field is, validated per row by kind; matchBy; emptyValues and
existingValues."""

import asyncio
import csv
import io
from typing import Any

import pytest

from tests.integration.graphql_client import GraphQLClient, multipart_create

DEFINE = """
mutation Define($input: DefineCustomFieldInput!) {
  defineCustomField(input: $input) { entityType name kind options unique description }
}
"""
LIST = "query($t: EntityType) { customFields(entityType: $t) { name kind options unique } }"
DELETE = "mutation($t: EntityType!, $n: String!) { deleteCustomField(entityType: $t, name: $n) }"
COUNT = "query($f: EntityFilter!) { countEntities(entityType: CONTACT, filter: $f) }"

FIELDS: list[dict[str, Any]] = [
    {"name": "plan", "kind": "ENUM", "options": ["free", "pro", "enterprise"]},
    {"name": "seats", "kind": "NUMBER"},
    {"name": "vip", "kind": "BOOLEAN"},
    {"name": "renewal", "kind": "DATE"},
    {"name": "groups", "kind": "LIST"},
    {"name": "note", "kind": "TEXT"},
    {"name": "external_id", "kind": "TEXT", "unique": True},
]


async def define(gql: GraphQLClient, **field: Any) -> dict[str, Any]:
    input = {"entityType": "CONTACT", **field}
    defined: dict[str, Any] = (await gql.data(DEFINE, input=input))["defineCustomField"]
    return defined


async def define_all(gql: GraphQLClient) -> None:
    for field in FIELDS:
        await define(gql, **field)


def error_of(body: dict[str, Any]) -> tuple[str, str]:
    assert "errors" in body, body
    error = body["errors"][0]
    return error["extensions"]["code"], error["message"]


async def count(gql: GraphQLClient, **condition: Any) -> int:
    found: int = (await gql.data(COUNT, f={"conditions": [condition]}))["countEntities"]
    return found


async def by_email(gql: GraphQLClient) -> dict[str, dict[str, Any]]:
    stored = await gql.entities("CONTACT", None)
    return {data["email"]: {"id": entity_id, **data} for entity_id, data in stored.items()}


async def matching(gql: GraphQLClient, field: str, value: Any) -> dict[str, Any]:
    """The one contact whose field holds the value, as `{id, ...data}`."""
    query = """query($f: EntityFilter!) {
      entities(entityType: CONTACT, filter: $f, first: 2) { edges { node { id data } } }
    }"""
    page = await gql.data(query, f={"conditions": [{"field": field, "eq": value}]})
    (edge,) = page["entities"]["edges"]
    return {"id": edge["node"]["id"], **edge["node"]["data"]}


def counts(action: dict[str, Any]) -> tuple[int, int, int, int]:
    stats = action["stats"]
    return stats["total"], stats["succeeded"], stats["failed"], stats["skipped"]


CSV = (
    "Email,Plan,Seats,VIP,Renewal,Groups,Note,Ext\r\n"
    "ada@example.com,pro,5,yes,2027-01-31,eng;ops,first,A-1\r\n"
    "grace@example.com,free,1,no,2026-06-30,ops,,A-2\r\n"
    "linus@example.com,enterprise,250,true,2028-12-01,,kernel,A-3\r\n"
)
COLUMN_MAP = {
    "Email": "email",
    "Plan": "plan",
    "Seats": "seats",
    "VIP": "vip",
    "Renewal": "renewal",
    "Groups": "groups",
    "Note": "note",
    "Ext": "external_id",
}


async def test_every_kind_imports_filters_updates_exports_dry_runs_and_restores(
    gql: GraphQLClient,
) -> None:
    await define_all(gql)
    listed = (await gql.data(LIST, t="CONTACT"))["customFields"]
    assert [field["name"] for field in listed] == sorted(field["name"] for field in FIELDS)

    body = await multipart_create(
        gql, CSV.encode(), entityType="CONTACT", actionType="INSERT", columnMap=COLUMN_MAP
    )
    assert "errors" not in body, body
    inserted = await gql.wait(body["data"]["createBulkAction"]["id"])
    assert counts(inserted) == (3, 3, 0, 0)
    stored = await by_email(gql)
    ada = stored["ada@example.com"]
    assert {name: ada[name] for name in COLUMN_MAP.values()} == {
        "email": "ada@example.com",
        "plan": "pro",
        "seats": 5,
        "vip": True,
        "renewal": "2027-01-31",
        "groups": ["eng", "ops"],
        "note": "first",
        "external_id": "A-1",
    }
    assert "note" not in stored["grace@example.com"]  # an empty cell under SKIP: no value
    assert "groups" not in stored["linus@example.com"]

    # Filters, by kind.
    assert await count(gql, field="plan", eq="pro") == 1
    assert await count(gql, field="plan", **{"in": ["pro", "enterprise"]}) == 2
    assert await count(gql, field="seats", gte=5) == 2
    assert await count(gql, field="vip", eq=True) == 2
    assert await count(gql, field="renewal", lt="2027-06-01") == 2
    assert await count(gql, field="groups", hasAny=["ops"]) == 2
    assert await count(gql, field="note", prefix="KER") == 1
    assert await count(gql, field="note", exists=False) == 1
    assert await count(gql, field="external_id", eq="A-3") == 1

    # Each operation that applies, on a filter's matches.
    pro_or_more = {"conditions": [{"field": "plan", "in": ["pro", "enterprise"]}]}
    updated = await gql.run(
        entityType="CONTACT",
        actionType="UPDATE",
        filter=pro_or_more,
        fields={"renewal": "2030-01-01", "plan": "enterprise"},
        increment={"seats": 10},
        addToList={"groups": ["vip"]},
        unset=["note"],
    )
    assert counts(updated) == (2, 2, 0, 0)
    after = await by_email(gql)
    for email, seats, groups in (
        ("ada@example.com", 15, ["eng", "ops", "vip"]),
        ("linus@example.com", 260, ["vip"]),
    ):
        assert after[email]["seats"] == seats
        assert after[email]["groups"] == groups
        assert after[email]["plan"] == "enterprise"
        assert after[email]["renewal"] == "2030-01-01"
        assert "note" not in after[email]
    assert after["grace@example.com"] == stored["grace@example.com"]

    # A dry run forecasts and writes nothing.
    dry = await gql.run(
        entityType="CONTACT",
        actionType="UPDATE",
        filter={"all": True},
        fields={"vip": False},
        dryRun=True,
    )
    assert counts(dry) == (3, 2, 0, 1)  # two are vip now; grace already is not
    assert await by_email(gql) == after

    # The export's default columns carry the custom fields, as the import reads them.
    exported = await gql.run(entityType="CONTACT", actionType="EXPORT", filter={"all": True})
    response = await gql.http.get(f"/bulk-actions/{exported['id']}/export.csv")
    rows = {row["email"]: row for row in csv.DictReader(io.StringIO(response.text))}
    assert rows["ada@example.com"]["groups"] == "eng;ops;vip"
    assert rows["ada@example.com"]["vip"] == "true"
    assert rows["ada@example.com"]["renewal"] == "2030-01-01"
    assert rows["grace@example.com"]["external_id"] == "A-2"

    # Restore puts every custom value back as it was before the update.
    restore = await gql.data(
        "mutation($id: ID!) { restoreBulkAction(id: $id) { id } }", id=updated["id"]
    )
    restored = await gql.wait(restore["restoreBulkAction"]["id"])
    assert counts(restored) == (2, 2, 0, 0)
    assert await by_email(gql) == stored

    removed = await gql.run(
        entityType="CONTACT",
        actionType="UPDATE",
        filter={"conditions": [{"field": "groups", "hasAny": ["ops"]}]},
        removeFromList={"groups": ["ops"]},
    )
    assert counts(removed) == (2, 2, 0, 0)
    assert [data.get("groups") for data in (await by_email(gql)).values()] == [["eng"], [], None]


async def test_bad_custom_values_fail_alone_named(gql: GraphQLClient) -> None:
    await define_all(gql)
    bad = {}
    lines = ["email,plan,seats,renewal,external_id"]
    for n in range(1, 10_001):
        plan, seats, renewal = "pro", str(n % 50), "2027-03-15"
        if n % 100 == 7:
            seats, bad[n] = "lots", "seats"
        elif n % 100 == 42:
            plan, bad[n] = "gold", "plan"
        elif n % 100 == 77:
            renewal, bad[n] = "15/03/2027", "renewal"
        lines.append(f"c{n}@example.com,{plan},{seats},{renewal},X{n}")
    body = await multipart_create(
        gql, "\r\n".join(lines).encode(), entityType="CONTACT", actionType="INSERT"
    )
    assert "errors" not in body, body
    action = await gql.wait(body["data"]["createBulkAction"]["id"], timeout=600)
    assert counts(action) == (10_000, 10_000 - len(bad), len(bad), 0)
    failed = {log["row"]: log for log in await gql.all_logs(action["id"], "FAILED")}
    assert set(failed) == set(bad)
    for row, field in bad.items():
        assert failed[row]["reason"] == "INVALID"
        assert failed[row]["message"].startswith(f"{field}:"), failed[row]
    assert await count(gql, field="external_id", exists=True) == 10_000 - len(bad)


@pytest.mark.slow(1)
async def test_upsert_matched_by_a_unique_custom_field_stays_in_its_account(
    gql: GraphQLClient, other_gql: GraphQLClient
) -> None:
    for client in (gql, other_gql):
        await define(client, name="external_id", kind="TEXT", unique=True)
        seeded = await client.run(
            entityType="CONTACT",
            actionType="INSERT",
            records=[
                {"email": f"old{n}@example.com", "external_id": f"E{n}", "first_name": "Old"}
                for n in range(2_500)
            ],
        )
        assert counts(seeded) == (2_500, 2_500, 0, 0)
    lines = ["email,external_id,first_name"]
    lines += [f"new{n}@example.com, E{n} ,New" for n in range(5_000)]
    lines.append("dup@example.com,E1,")  # repeats E1
    lines.append(",,No key")  # no external_id
    lines.append(",E-none,Cannot insert")  # no email, and no entity to update
    body = await multipart_create(
        gql,
        "\r\n".join(lines).encode(),
        entityType="CONTACT",
        actionType="UPSERT",
        matchBy="external_id",
    )
    assert "errors" not in body, body
    upsert = await gql.wait(body["data"]["createBulkAction"]["id"], timeout=600)
    assert counts(upsert) == (5_003, 5_000, 2, 1)
    logs = await gql.all_logs(upsert["id"])
    reasons = [log["reason"] for log in logs]
    assert reasons.count("UPDATED") == 2_500 and reasons.count("INSERTED") == 2_500
    assert [log["reason"] for log in logs[-3:]] == ["DUPLICATE_IN_INPUT", "INVALID", "INVALID"]
    assert "external_id: required" in logs[-2]["message"]
    assert "email: required to insert" in logs[-1]["message"]

    everyone: dict[str, Any] = {"all": True}
    assert (await gql.data(COUNT, f=everyone))["countEntities"] == 5_000
    assert await count(gql, field="email", eq="old7@example.com") == 0  # matched: email changed
    assert (await matching(gql, "external_id", "E7"))["email"] == "new7@example.com"
    assert (await other_gql.data(COUNT, f=everyone))["countEntities"] == 2_500
    assert await count(other_gql, field="first_name", eq="Old") == 2_500

    # The database keeps the field unique per account: an UPDATE that would repeat it fails.
    second = (await matching(gql, "external_id", "E2"))["id"]
    clash = await gql.run(
        entityType="CONTACT",
        actionType="UPDATE",
        records=[{"id": second, "external_id": "E1"}],
    )
    assert counts(clash) == (1, 0, 1, 0)
    assert (await gql.all_logs(clash["id"]))[0]["reason"] == "DUPLICATE_KEY"
    assert (await matching(gql, "email", "new2@example.com"))["external_id"] == "E2"


async def test_one_number_written_two_ways_is_one_key(gql: GraphQLClient) -> None:
    """Rows matched by a unique NUMBER field repeat a key when their numbers are equal, however
    each is written ("1", "1.0", "1e0"): the database holds them as one value, so the later
    rows are skipped as repeats, as rows repeating an email are, rather than writing twice."""
    await define(gql, name="ext", kind="NUMBER", unique=True)
    seeded = await gql.run(
        entityType="CONTACT",
        actionType="INSERT",
        records=[{"email": "one@example.com", "ext": 1}, {"email": "k@example.com", "ext": 1000}],
    )
    assert counts(seeded) == (2, 2, 0, 0)
    rows = "ext,first_name\r\n1,A\r\n1.0,B\r\n 1e0 ,C\r\n1000,D\r\n1e3,E\r\n-0,F\r\n0.0,G\r\n"
    for action_type in ("UPSERT", "UPDATE"):
        csv_text = rows.replace(",A", f",A{action_type}").replace(",D", f",D{action_type}")
        body = await multipart_create(
            gql, csv_text.encode(), entityType="CONTACT", actionType=action_type, matchBy="ext"
        )
        assert "errors" not in body, body
        done = await gql.wait(body["data"]["createBulkAction"]["id"])
        reasons = [log["reason"] for log in await gql.all_logs(done["id"])]
        assert reasons == [
            "UPDATED",
            "DUPLICATE_IN_INPUT",
            "DUPLICATE_IN_INPUT",
            "UPDATED",
            "DUPLICATE_IN_INPUT",
            "INVALID" if action_type == "UPSERT" else "NOT_FOUND",  # no email to insert
            "DUPLICATE_IN_INPUT",
        ], action_type
    assert (await matching(gql, "ext", 1))["first_name"] == "AUPDATE"
    assert (await matching(gql, "ext", 1000))["first_name"] == "DUPDATE"


async def test_update_and_delete_match_by_email_or_custom_field(gql: GraphQLClient) -> None:
    await define(gql, name="external_id", kind="TEXT", unique=True)
    await gql.run(
        entityType="CONTACT",
        actionType="INSERT",
        records=[{"email": f"p{n}@example.com", "external_id": f"P{n}"} for n in range(4)],
    )
    update = await gql.run(
        entityType="CONTACT",
        actionType="UPDATE",
        matchBy="email",
        records=[
            {"email": " P0@Example.com", "city": "Oslo"},
            {"email": "x@example.com", "city": "Rome"},
        ],
    )
    assert counts(update) == (2, 1, 1, 0)
    logs = await gql.all_logs(update["id"])
    assert logs[1]["reason"] == "NOT_FOUND" and "x@example.com" in logs[1]["message"]
    delete = await gql.run(
        entityType="CONTACT",
        actionType="DELETE",
        matchBy="external_id",
        records=[{"external_id": "P1"}, {"external_id": "P2"}],
    )
    assert counts(delete) == (2, 2, 0, 0)
    left = await by_email(gql)
    assert sorted(left) == ["p0@example.com", "p3@example.com"]
    assert left["p0@example.com"]["city"] == "Oslo"


# (policy, field now, input) → (reason, value after); None: empty.
TABLE = {
    ("SKIP", "OVERWRITE"): [
        ("UNCHANGED", None),
        ("UPDATED", "new"),
        ("UNCHANGED", "old"),
        ("UPDATED", "new"),
    ],
    ("CLEAR", "OVERWRITE"): [
        ("UNCHANGED", None),
        ("UPDATED", "new"),
        ("UPDATED", None),
        ("UPDATED", "new"),
    ],
    ("SKIP", "KEEP"): [
        ("UNCHANGED", None),
        ("UPDATED", "new"),
        ("UNCHANGED", "old"),
        ("UNCHANGED", "old"),
    ],
    ("CLEAR", "KEEP"): [
        ("UNCHANGED", None),
        ("UPDATED", "new"),
        ("UNCHANGED", "old"),
        ("UNCHANGED", "old"),
    ],
}
CASES = [(None, None), (None, "new"), ("old", None), ("old", "new")]  # (field now, input)


@pytest.mark.parametrize("action_type", ["UPDATE", "UPSERT"])
@pytest.mark.parametrize(("empty_values", "existing_values"), list(TABLE))
async def test_empty_and_existing_values(
    gql: GraphQLClient, action_type: str, empty_values: str, existing_values: str
) -> None:
    await define(gql, name="nickname", kind="TEXT")
    seeded = await gql.run(
        entityType="CONTACT",
        actionType="INSERT",
        records=[
            {"email": f"t{n}@example.com", **({"nickname": now} if now else {})}
            for n, (now, _) in enumerate(CASES)
        ],
    )
    ids = {log["row"] - 1: log["entityId"] for log in await gql.all_logs(seeded["id"])}
    # As a CSV, so an empty input is an empty cell.
    key = "id" if action_type == "UPDATE" else "email"
    lines = [f"{key},nickname"] + [
        f"{ids[n] if key == 'id' else f't{n}@example.com'},{given or ''}"
        for n, (_, given) in enumerate(CASES)
    ]
    body = await multipart_create(
        gql,
        "\r\n".join(lines).encode(),
        entityType="CONTACT",
        actionType=action_type,
        emptyValues=empty_values,
        existingValues=existing_values,
    )
    assert "errors" not in body, body
    action = await gql.wait(body["data"]["createBulkAction"]["id"])
    reasons = [log["reason"] for log in await gql.all_logs(action["id"])]
    stored = await gql.entities("CONTACT", [ids[n] for n in range(len(CASES))])
    after = [stored[ids[n]].get("nickname") for n in range(len(CASES))]
    expected = TABLE[(empty_values, existing_values)]
    assert list(zip(reasons, after, strict=True)) == expected


async def test_accounts_never_see_or_touch_each_others_fields(
    gql: GraphQLClient, other_gql: GraphQLClient
) -> None:
    await define(gql, name="tier", kind="NUMBER")
    assert (await define(other_gql, name="tier", kind="ENUM", options=["a", "b"]))["kind"] == "ENUM"
    assert [f["kind"] for f in (await gql.data(LIST, t=None))["customFields"]] == ["NUMBER"]
    assert [f["kind"] for f in (await other_gql.data(LIST, t=None))["customFields"]] == ["ENUM"]
    mine = await gql.run(
        entityType="CONTACT", actionType="INSERT", records=[{"email": "a@x.io", "tier": 3}]
    )
    theirs = await other_gql.run(
        entityType="CONTACT", actionType="INSERT", records=[{"email": "a@x.io", "tier": "b"}]
    )
    assert counts(mine)[1] == counts(theirs)[1] == 1
    wrong = await other_gql.execute(
        "mutation($i: CreateBulkActionInput!) { createBulkAction(input: $i) { id } }",
        i={
            "entityType": "CONTACT",
            "actionType": "INSERT",
            "records": [{"email": "b@x.io", "tier": 3}],
        },
    )
    code, message = error_of(wrong)
    assert code == "BAD_USER_INPUT" and "tier" in message
    await define(gql, name="only_mine", kind="TEXT")
    assert (await other_gql.data(DELETE, t="CONTACT", n="only_mine"))["deleteCustomField"] is False
    refused = await other_gql.execute(
        "mutation($i: CreateBulkActionInput!) { createBulkAction(input: $i) { id } }",
        i={
            "entityType": "CONTACT",
            "actionType": "INSERT",
            "records": [{"email": "c@x.io", "only_mine": "x"}],
        },
    )
    code, message = error_of(refused)
    assert code == "BAD_USER_INPUT" and "only_mine" in message
    # Deleting hides the field from new actions; the values stay stored until retention.
    assert (await gql.data(DELETE, t="CONTACT", n="tier"))["deleteCustomField"] is True
    assert "tier" not in next(iter((await gql.entities("CONTACT", None)).values()))
    refused = await gql.execute(
        "mutation($i: CreateBulkActionInput!) { createBulkAction(input: $i) { id } }",
        i={
            "entityType": "CONTACT",
            "actionType": "INSERT",
            "records": [{"email": "d@x.io", "tier": 1}],
        },
    )
    assert error_of(refused)[0] == "BAD_USER_INPUT"
    again = await define(gql, name="tier", kind="NUMBER")  # defined again: its values are back
    assert again["kind"] == "NUMBER"
    assert next(iter((await gql.entities("CONTACT", None)).values()))["tier"] == 3


@pytest.mark.parametrize(
    ("field", "said"),
    [
        ({"name": "a.b", "kind": "TEXT"}, "'.' or '$'"),
        ({"name": "$where", "kind": "TEXT"}, "'.' or '$'"),
        ({"name": "nul\u0000", "kind": "TEXT"}, "NUL"),
        ({"name": "x" * 10_240, "kind": "TEXT"}, "1-64 characters"),
        ({"name": "Plan", "kind": "TEXT"}, "lower snake case"),
        ({"name": "email", "kind": "TEXT"}, "built-in"),
        ({"name": "id", "kind": "TEXT"}, "built-in"),
        ({"name": "plan", "kind": "ENUM"}, "needs at least one option"),
        ({"name": "plan", "kind": "TEXT", "options": ["a"]}, "only ENUM"),
        ({"name": "flag", "kind": "BOOLEAN", "unique": True}, "cannot be unique"),
        ({"name": "plan", "kind": "ENUM", "options": ["a", "a"]}, "twice"),
        ({"name": "plan", "kind": "TEXT", "description": "d" * 10_000}, "description"),
    ],
)
async def test_bad_definitions_are_refused_coded(
    gql: GraphQLClient, field: dict[str, Any], said: str
) -> None:
    code, message = error_of(await gql.execute(DEFINE, input={"entityType": "CONTACT", **field}))
    assert code == "BAD_USER_INPUT" and said in message, message
    assert (await gql.data(LIST, t=None))["customFields"] == []


async def test_definitions_are_bounded_idempotent_and_keep_their_values(
    gql: GraphQLClient,
) -> None:
    # 1,000 definitions at once, 25 in flight: never more than 100 stand, every one that
    # answered a field is listed, every other one is a coded refusal.
    gate = asyncio.Semaphore(25)

    async def attempt(n: int) -> dict[str, Any]:
        async with gate:
            input = {"entityType": "CONTACT", "name": f"f{n}", "kind": "TEXT"}
            return await gql.execute(DEFINE, input=input)

    answers = await asyncio.gather(*(attempt(n) for n in range(1_000)))
    made = {a["data"]["defineCustomField"]["name"] for a in answers if not a.get("errors")}
    refusals = [error_of(a) for a in answers if a.get("errors")]
    assert {code for code, _ in refusals} == {"BAD_USER_INPUT"}
    assert all("100 custom fields" in message for _, message in refusals)
    listed = {f["name"] for f in (await gql.data(LIST, t="CONTACT"))["customFields"]}
    assert listed == made and 0 < len(made) <= 100
    for n in range(1_000, 1_100 - len(made)):  # fill up to the limit, one at a time
        await define(gql, name=f"f{n}", kind="TEXT")
    field = sorted(made)[0]
    assert await define(gql, name=field, kind="TEXT")  # the same again: nothing changes
    code, message = error_of(
        await gql.execute(DEFINE, input={"entityType": "CONTACT", "name": "f9999", "kind": "TEXT"})
    )
    assert code == "BAD_USER_INPUT" and "100 custom fields" in message
    names = sorted(f["name"] for f in (await gql.data(LIST, t="CONTACT"))["customFields"])
    assert len(names) == 100
    first, second = names[:2]
    await define(gql, name=first, kind="NUMBER")  # no values yet: the kind may change
    await gql.run(
        entityType="CONTACT", actionType="INSERT", records=[{"email": "v@x.io", first: 2}]
    )
    code, message = error_of(
        await gql.execute(DEFINE, input={"entityType": "CONTACT", "name": first, "kind": "TEXT"})
    )
    assert code == "BAD_USER_INPUT" and "hold" in message
    misfit = await gql.execute(
        "mutation($i: CreateBulkActionInput!) { createBulkAction(input: $i) { id } }",
        i={
            "entityType": "CONTACT",
            "actionType": "UPDATE",
            "filter": {"all": True},
            "increment": {second: 1},
        },
    )
    code, message = error_of(misfit)
    assert code == "BAD_USER_INPUT" and "increment" in message
    for n in range(3):
        await define(gql, entityType="LEAD", name=f"u{n}", kind="NUMBER", unique=True)
    code, message = error_of(
        await gql.execute(
            DEFINE, input={"entityType": "LEAD", "name": "u3", "kind": "TEXT", "unique": True}
        )
    )
    assert code == "BAD_USER_INPUT" and "3 unique" in message
    assert await define(gql, entityType="COMPANY", name="u3", kind="TEXT", unique=True)


async def test_unique_fields_defined_at_once_never_share_a_slot(
    gql: GraphQLClient, account: str
) -> None:
    """Eight unique fields asked for at once: at most three stand, each in a slot of its own
    (the definitions' unique index on the slot decides between concurrent ones), and every
    other answer is a coded refusal."""
    from app.domain.models import CustomFieldDefinition

    async def attempt(n: int) -> dict[str, Any]:
        input = {"entityType": "LEAD", "name": f"code{n}", "kind": "TEXT", "unique": True}
        return await gql.execute(DEFINE, input=input)

    answers = await asyncio.gather(*(attempt(n) for n in range(8)))
    made = {a["data"]["defineCustomField"]["name"] for a in answers if not a.get("errors")}
    assert {error_of(a)[0] for a in answers if a.get("errors")} <= {"BAD_USER_INPUT"}
    stored = await CustomFieldDefinition.find(
        {"account_id": account, "entity_type": "LEAD"}
    ).to_list()
    assert {d.name for d in stored} == made and 0 < len(made) <= 3
    slots = [d.slot for d in stored]
    assert len(set(slots)) == len(slots) and set(slots) <= {1, 2, 3}
