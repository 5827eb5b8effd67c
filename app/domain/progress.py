"""An action's outcome counts: summed over its done chunks while it runs, frozen at the end."""

from dataclasses import dataclass

from app.domain.models import TERMINAL_STATUSES, BulkAction, LogStatus


@dataclass(frozen=True)
class Counters:
    succeeded: int = 0
    failed: int = 0
    skipped: int = 0
    chunks_done: int = 0
    planned: int = 0  # rows in the chunks planned so far

    @property
    def processed(self) -> int:
        return self.succeeded + self.failed + self.skipped

    def of_status(self, status: LogStatus | None) -> int:
        by_status = {
            LogStatus.SUCCESS: self.succeeded,
            LogStatus.FAILED: self.failed,
            LogStatus.SKIPPED: self.skipped,
        }
        return self.processed if status is None else by_status[status]


def final_counters(action: BulkAction) -> Counters | None:
    """The counts frozen on an action that has ended; None while it runs."""
    if action.status in TERMINAL_STATUSES and action.finished_at is not None:
        return Counters(
            succeeded=action.succeeded,
            failed=action.failed,
            skipped=action.skipped,
            chunks_done=action.chunks_total or 0,
            planned=action.total or 0,
        )
    return None
