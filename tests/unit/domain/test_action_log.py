"""Logs in blocks: where a row's log is stored, and reading a block back."""

from datetime import UTC, datetime

from beanie import PydanticObjectId

from app.domain.models import LogReason, LogStatus
from app.domain.models.action_log import (
    BLOCK_ROWS,
    MAX_MESSAGE_CHARS,
    block_documents,
    block_of,
    logged_row,
    read_rows,
)

ACTION = PydanticObjectId()
AT = datetime(2026, 1, 1, tzinfo=UTC)


def success(row: int) -> dict[str, object]:
    return dict(logged_row(row, "SUCCESS", "INSERTED", f"e{row}", None))


def test_blocks_hold_consecutive_rows() -> None:
    assert [block_of(row) for row in (1, BLOCK_ROWS, BLOCK_ROWS + 1, 2 * BLOCK_ROWS + 1)] == [
        0,
        0,
        1,
        2,
    ]


def test_a_chunk_writes_one_document_per_block_named_by_its_first_row() -> None:
    # A chunk of rows 51..250 falls in blocks 0, 1 and 2.
    rows = [logged_row(n, "SUCCESS", "INSERTED", None, None) for n in range(51, 251)]
    documents = block_documents(ACTION, "acct", AT, rows)
    assert [(d["_id"], d["block"], len(d["rows"])) for d in documents] == [
        (f"{ACTION}:0:51", 0, 50),
        (f"{ACTION}:1:101", 1, 100),
        (f"{ACTION}:2:201", 2, 50),
    ]


def test_logged_rows_leave_out_what_is_empty_and_cut_long_messages() -> None:
    assert logged_row(3, "FAILED", "INVALID", None, None) == {
        "row": 3,
        "status": "FAILED",
        "reason": "INVALID",
    }
    long = logged_row(3, "FAILED", "INVALID", None, "x" * (MAX_MESSAGE_CHARS + 5))
    assert len(long["message"]) == MAX_MESSAGE_CHARS


def test_a_block_read_back_is_in_row_order_with_each_row_once() -> None:
    # Two chunks meet in the block, and one row was logged twice (a split after a delivery).
    second = {"at": AT, "rows": [success(61), success(62)]}
    first = {"at": AT, "rows": [success(59), success(60), success(61)]}
    logs = list(read_rows([second, first]))
    assert [log.row for log in logs] == [59, 60, 61, 62]
    assert logs[0].status is LogStatus.SUCCESS and logs[0].reason is LogReason.INSERTED
    assert logs[0].entity_id == "e59" and logs[0].message is None and logs[0].at == AT
