"""Outcomes a row gets without a write: fixed at planning, skipped by a cancel, or failed
when its chunk ran out of retries."""

from app.domain.actions import Outcome
from app.domain.models import LogReason, LogStatus
from app.domain.models.action_log import STANDARD_MESSAGES
from app.domain.rows import Row


def invalid_outcome(row: Row) -> Outcome:
    return Outcome(
        row=row["row"], status=LogStatus.FAILED, reason=LogReason.INVALID, message=row["invalid"]
    )


def planned_outcome(row: Row) -> Outcome | None:
    """The outcome planning already fixed for a row: invalid, or a repeat of an earlier key."""
    if "invalid" in row:
        return invalid_outcome(row)
    if row.get("dup"):
        return skipped(row, LogReason.DUPLICATE_IN_INPUT)
    return None


def skipped(row: Row, reason: LogReason) -> Outcome:
    return Outcome(
        row=row["row"],
        status=LogStatus.SKIPPED,
        reason=reason,
        entity_id=row.get("id"),
        message=STANDARD_MESSAGES[reason],
    )


def failed_outcome(row: Row, error: str) -> Outcome:
    if (planned := planned_outcome(row)) is not None:
        return planned
    return Outcome(
        row=row["row"],
        status=LogStatus.FAILED,
        reason=LogReason.PROCESSING_ERROR,
        entity_id=row.get("id"),
        message=f"Chunk failed after retries: {error}"[:500],
    )
