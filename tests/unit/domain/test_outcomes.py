"""Outcomes fixed without a write: planning's verdicts, cancels, spent retries."""

from app.domain.models import LogReason, LogStatus
from app.domain.outcomes import failed_outcome, planned_outcome, skipped
from app.domain.rows import Row


def test_planning_fixes_invalid_rows_and_repeats_only() -> None:
    invalid: Row = {"row": 3, "invalid": "email: required."}
    repeat: Row = {"row": 4, "key": "a@example.com", "dup": True}
    live: Row = {"row": 5, "key": "b@example.com"}
    first = planned_outcome(invalid)
    assert first is not None
    assert (first.status, first.reason, first.message) == (
        LogStatus.FAILED,
        LogReason.INVALID,
        "email: required.",
    )
    second = planned_outcome(repeat)
    assert second is not None
    assert (second.status, second.reason) == (LogStatus.SKIPPED, LogReason.DUPLICATE_IN_INPUT)
    assert planned_outcome(live) is None


def test_spent_retries_fail_live_rows_but_keep_planned_outcomes() -> None:
    live: Row = {"row": 1, "id": "65f000000000000000000001"}
    failed = failed_outcome(live, "boom " * 200)
    assert (failed.status, failed.reason, failed.entity_id) == (
        LogStatus.FAILED,
        LogReason.PROCESSING_ERROR,
        "65f000000000000000000001",
    )
    assert failed.message is not None and len(failed.message) <= 500
    repeat: Row = {"row": 2, "key": "a@example.com", "dup": True}
    assert failed_outcome(repeat, "boom").reason is LogReason.DUPLICATE_IN_INPUT


def test_a_cancel_skips_with_its_reason() -> None:
    outcome = skipped({"row": 9, "id": "x"}, LogReason.CANCELLED)
    assert (outcome.row, outcome.status, outcome.entity_id) == (9, LogStatus.SKIPPED, "x")
    assert outcome.message is not None and "cancelled" in outcome.message
