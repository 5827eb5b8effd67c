"""Logs in blocks: where a row's log is stored, and reading a block back (an insert under its
planned id with that id left out of what is stored, rows logged with only their reason stored
as runs, and those logged with their reason and entity id alone as runs with ids)."""

from datetime import UTC, datetime

from beanie import PydanticObjectId
from hypothesis import given
from hypothesis import strategies as st

from app.domain.models import LogReason, LogStatus
from app.domain.models.action_log import (
    BLOCK_ROWS,
    MAX_MESSAGE_CHARS,
    STANDARD_MESSAGES,
    LoggedRow,
    block_documents,
    block_of,
    logged_row,
    read_rows,
    stored_form,
)
from app.domain.models.ids import MAX_PLANNED_ROWS, planned_id

ACTION = PydanticObjectId()
AT = datetime(2026, 1, 1, tzinfo=UTC)


def success(row: int) -> LoggedRow:
    return logged_row(row, "INSERTED", f"e{row}", None)


def test_blocks_hold_consecutive_rows() -> None:
    assert [block_of(row) for row in (1, BLOCK_ROWS, BLOCK_ROWS + 1, 2 * BLOCK_ROWS + 1)] == [
        0,
        0,
        1,
        2,
    ]


def test_a_chunk_writes_one_document_per_block_and_status_named_by_its_first_row() -> None:
    # A chunk of rows 51..250 falls in blocks 0, 1 and 2; rows 120 and 130 failed.
    rows = [(LogStatus.SUCCESS, success(n)) for n in range(51, 251) if n not in (120, 130)]
    rows += [(LogStatus.FAILED, logged_row(n, "INVALID", None, "bad")) for n in (130, 120)]
    documents = block_documents(ACTION, "acct", 4, AT, rows)
    assert [(d["_id"], d["block"], d["status"], len(d["rows"])) for d in documents] == [
        (f"{ACTION}:0:51", 0, "SUCCESS", 50),
        (f"{ACTION}:1:120", 1, "FAILED", 2),
        (f"{ACTION}:1:101", 1, "SUCCESS", 98),
        (f"{ACTION}:2:201", 2, "SUCCESS", 50),
    ]
    assert all(d["seq"] == 4 and d["at"] == AT for d in documents)
    assert [row["row"] for row in documents[1]["rows"]] == [120, 130]


def test_logged_rows_leave_out_what_is_empty_and_cut_long_messages() -> None:
    assert logged_row(3, "INVALID", None, None) == {"row": 3, "reason": "INVALID"}
    long = logged_row(3, "INVALID", None, "x" * (MAX_MESSAGE_CHARS + 5))
    assert len(long["message"]) == MAX_MESSAGE_CHARS


def test_a_block_read_back_is_in_row_order_with_each_row_once() -> None:
    # Two chunks meet in the block, and one row was logged twice (a split after a delivery).
    second = {"at": AT, "status": "SUCCESS", "rows": [success(61), success(62)]}
    first = {"at": AT, "status": "SUCCESS", "rows": [success(59), success(60), success(61)]}
    logs = list(read_rows([second, first]))
    assert [log.row for log in logs] == [59, 60, 61, 62]
    assert logs[0].status is LogStatus.SUCCESS and logs[0].reason is LogReason.INSERTED
    assert logs[0].entity_id == "e59" and logs[0].message is None and logs[0].at == AT


def test_an_insert_under_its_planned_id_is_stored_without_it_and_read_back_with_it() -> None:
    planned = logged_row(7, "INSERTED", planned_id(ACTION, 7), None)
    elsewhere = logged_row(8, "INSERTED", str(PydanticObjectId()), None)  # a restore's re-insert
    updated = logged_row(9, "UPDATED", planned_id(ACTION, 9), None)
    rows = [(LogStatus.SUCCESS, row) for row in (planned, elsewhere, updated)]
    (document,) = block_documents(ACTION, "acct", 0, AT, rows)
    # The others keep their ids: in runs with ids, as they are ObjectIds.
    assert document["runs"] == [
        {"first": 7, "last": 7, "reason": "INSERTED"},
        {"first": 8, "last": 8, "reason": "INSERTED", "ids": bytes.fromhex(elsewhere["entity_id"])},
        {"first": 9, "last": 9, "reason": "UPDATED", "ids": bytes.fromhex(updated["entity_id"])},
    ]
    assert document["rows"] == []
    logs = list(read_rows([document]))
    assert [log.entity_id for log in logs] == [
        planned["entity_id"],
        elsewhere["entity_id"],
        updated["entity_id"],
    ]


@given(
    st.integers(min_value=1, max_value=MAX_PLANNED_ROWS - 1),
    st.sampled_from(["own", "another row's", "another action's"]),
)
def test_only_the_rows_own_planned_id_is_left_out(row: int, whose: str) -> None:
    """The stored form works out planned ids from their common prefix, once per chunk: it
    leaves out the row's own planned id, and keeps another row's (or another action's)."""
    if whose == "own":
        entity_id = planned_id(ACTION, row)
    elif whose == "another row's":
        entity_id = planned_id(ACTION, row + 1 if row + 1 < MAX_PLANNED_ROWS else row - 1)
    else:
        entity_id = planned_id(PydanticObjectId(), row)
    stored = stored_form(ACTION)(logged_row(row, "INSERTED", entity_id, None))
    assert (stored == "INSERTED") is (whose == "own")
    assert isinstance(stored, str) or stored == ("INSERTED", bytes.fromhex(entity_id))
    # With more than its reason (a retry's source row), the row is stored whole, id left out.
    stored = stored_form(ACTION)(logged_row(row, "INSERTED", entity_id, None, 3))
    assert not isinstance(stored, str)
    assert ("entity_id" in stored) is (whose != "own")


def test_rows_logged_with_their_reason_alone_are_stored_as_runs() -> None:
    """A chunk of rows 51..250 inserted under their planned ids, but for row 120 (skipped,
    with a message) and row 130 (updated under another id): a run or two per block."""
    rows: list[tuple[LogStatus, LoggedRow]] = [
        (LogStatus.SUCCESS, logged_row(n, "INSERTED", planned_id(ACTION, n), None))
        for n in range(51, 251)
        if n not in (120, 130)
    ]
    rows += [
        (LogStatus.SKIPPED, logged_row(120, "DUPLICATE_IN_INPUT", None, "seen at row 3")),
        (LogStatus.SUCCESS, logged_row(130, "UPDATED", str(updated := PydanticObjectId()), None)),
    ]
    updated_id = updated.binary
    documents = block_documents(ACTION, "acct", 4, AT, rows)
    assert [(d["_id"], d.get("runs")) for d in documents] == [
        (f"{ACTION}:0:51", [{"first": 51, "last": 100, "reason": "INSERTED"}]),
        (f"{ACTION}:1:120", None),
        (
            f"{ACTION}:1:101",
            [
                {"first": 101, "last": 119, "reason": "INSERTED"},
                {"first": 121, "last": 129, "reason": "INSERTED"},
                {"first": 130, "last": 130, "reason": "UPDATED", "ids": updated_id},
                {"first": 131, "last": 200, "reason": "INSERTED"},
            ],
        ),
        (f"{ACTION}:2:201", [{"first": 201, "last": 250, "reason": "INSERTED"}]),
    ]
    assert documents[2]["rows"] == []
    logs = list(read_rows(documents))
    assert [log.row for log in logs] == list(range(51, 251))
    assert logs[0].entity_id == planned_id(ACTION, 51) and logs[0].message is None


def message_of(reason: str, kind: str) -> str | None:
    """A row's message: none, its own, or its reason's standard one; a reason with a standard
    message always says one (its standard one where it gives none)."""
    standard = STANDARD_MESSAGES.get(reason)
    return {"none": standard, "own": "why", "standard": standard}[kind]


LOGGED = st.builds(
    lambda row, reason, id_kind, message, source: logged_row(
        row,
        reason,
        {"none": None, "planned": planned_id(ACTION, row), "other": str(PydanticObjectId())}[
            id_kind
        ],
        message_of(reason, message),
        source,
    ),
    st.integers(min_value=1, max_value=400),
    st.sampled_from(["INSERTED", "UPDATED", "INVALID", "UNCHANGED", "ALREADY_EXISTS"]),
    st.sampled_from(["none", "planned", "other"]),
    st.sampled_from(["none", "own", "standard"]),
    st.none() | st.integers(min_value=1, max_value=10),
)


@given(
    st.lists(st.tuples(st.sampled_from(list(LogStatus)), LOGGED), unique_by=lambda p: p[1]["row"])
)
def test_stored_blocks_read_back_as_the_rows_logged(
    rows: list[tuple[LogStatus, LoggedRow]],
) -> None:
    """Whatever mix of rows a chunk logs, its blocks (runs or rows) read back every row once,
    in row order, with its status, reason, entity id, message and source row."""
    documents = block_documents(ACTION, "acct", 0, AT, rows)
    expected = sorted(
        (
            logged["row"],
            status,
            logged["reason"],
            # An insert's log without an id stands for its planned id (entity_of).
            logged.get("entity_id")
            or (planned_id(ACTION, logged["row"]) if logged["reason"] == "INSERTED" else None),
            logged.get("message"),
            logged.get("source_row"),
        )
        for status, logged in rows
    )
    found = [
        (log.row, log.status, str(log.reason), log.entity_id, log.message, log.source_row)
        for log in read_rows(documents)
    ]
    assert found == expected
    assert len({d["_id"] for d in documents}) == len(documents)


@given(
    st.lists(st.tuples(st.sampled_from(list(LogStatus)), LOGGED), unique_by=lambda p: p[1]["row"]),
    st.integers(min_value=0, max_value=401),
)
def test_a_block_read_after_a_row_is_the_rest_of_the_whole_read(
    rows: list[tuple[LogStatus, LoggedRow]], after: int
) -> None:
    """A page after row `after` reads only the rows it may show, and they are those the whole
    block has after it, the same."""
    documents = block_documents(ACTION, "acct", 0, AT, rows)
    whole = list(read_rows(documents))
    assert list(read_rows(documents, after)) == [log for log in whole if log.row > after]


def test_rows_logged_with_their_reason_and_entity_id_alone_are_runs_with_ids() -> None:
    """An UPDATE's block of 100 rows (and a DELETE's): one run, whose ids hold 12 bytes a
    row; a row with more than that, or an id that is not an ObjectId's text, is an entry."""
    ids = [str(PydanticObjectId()) for _ in range(100)]
    rows = [(LogStatus.SUCCESS, logged_row(n, "UPDATED", ids[n - 1], None)) for n in range(1, 101)]
    rows[41] = (LogStatus.SUCCESS, logged_row(42, "UPDATED", ids[41].upper(), None))
    rows[42] = (LogStatus.SUCCESS, logged_row(43, "UPDATED", ids[42], "a message"))
    (document,) = block_documents(ACTION, "acct", 0, AT, rows)
    assert [(run["first"], run["last"], len(run.get("ids", b""))) for run in document["runs"]] == [
        (1, 41, 41 * 12),
        (44, 100, 57 * 12),
    ]
    assert [row["row"] for row in document["rows"]] == [42, 43]
    logs = list(read_rows([document]))
    assert [log.entity_id for log in logs] == [*ids[:41], ids[41].upper(), *ids[42:]]
    assert list(read_rows([document], after=50)) == logs[50:]


def test_a_reason_s_standard_message_is_not_stored_with_each_row() -> None:
    """A re-import's rows (ALREADY_EXISTS, the holder's id, the standard message): one run with
    ids, read back with the message; a row of that reason saying something else keeps it."""
    holders = [str(PydanticObjectId()) for _ in range(100)]
    standard = STANDARD_MESSAGES["ALREADY_EXISTS"]
    rows = [
        (LogStatus.SKIPPED, logged_row(n, "ALREADY_EXISTS", holders[n - 1], standard))
        for n in range(1, 101)
    ]
    rows[9] = (LogStatus.SKIPPED, logged_row(10, "ALREADY_EXISTS", holders[9], "another"))
    (document,) = block_documents(ACTION, "acct", 0, AT, rows)
    assert [(run["first"], run["last"]) for run in document["runs"]] == [(1, 9), (11, 100)]
    assert [(row["row"], row["message"]) for row in document["rows"]] == [(10, "another")]
    logs = list(read_rows([document]))
    assert [(log.entity_id, log.message) for log in logs] == [
        (holders[n], "another" if n == 9 else standard) for n in range(100)
    ]
