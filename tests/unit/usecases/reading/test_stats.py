"""An action's figures from its counters: progress and an ETA the limit never beats."""

from datetime import timedelta

from beanie import PydanticObjectId

from app.domain.clock import utcnow
from app.domain.models import BulkAction, BulkActionStatus
from app.domain.progress import Counters
from app.infra.redis.waiting import Waiting
from app.usecases.reading.stats import eta, figures


def action(**fields: object) -> BulkAction:
    built: BulkAction = BulkAction.model_construct(
        id=PydanticObjectId(),
        account_id="a",
        entity_type="CONTACT",
        action_type="INSERT",
        **fields,
    )
    return built


def test_the_eta_is_never_shorter_than_the_limit_allows() -> None:
    assert eta(0, 100.0, 60) == 0.0
    assert eta(600, None, 60) == 600.0  # 1 row/s at 60 per minute
    assert eta(600, 1000.0, 60) == 600.0  # faster than the limit: the limit wins
    assert eta(600, 0.5, 60) == 1200.0  # slower than the limit: the rate wins


def test_running_figures_count_done_chunks_and_waiting_rows() -> None:
    started = utcnow() - timedelta(seconds=10)
    running = action(
        status=BulkActionStatus.PROCESSING, total=1000, chunks_total=10, started_at=started
    )
    stats = figures(
        running,
        Counters(succeeded=300, failed=50, skipped=50, chunks_done=4),
        Waiting(chunks=2, rows=200, next_start_ms=1_700_000_000_000),
        per_minute=6000,
    )
    assert (stats.processed, stats.progress, stats.chunks_done) == (400, 0.4, 4)
    assert (stats.waiting_chunks, stats.waiting_rows) == (2, 200)
    assert stats.next_start_at is not None
    assert stats.eta_seconds is not None and stats.eta_seconds >= 600 / 100


def test_an_ended_action_with_no_rows_is_complete() -> None:
    ended = action(status=BulkActionStatus.COMPLETED, total=0, finished_at=utcnow())
    stats = figures(ended, Counters(), Waiting(), per_minute=60)
    assert (stats.progress, stats.eta_seconds) == (1.0, None)


def test_while_planning_runs_the_total_is_what_it_has_planned() -> None:
    planning = action(status=BulkActionStatus.PROCESSING, started_at=utcnow())
    stats = figures(
        planning, Counters(succeeded=400, chunks_done=4, planned=1000), Waiting(), per_minute=60
    )
    assert (stats.total, stats.processed, stats.progress) == (1000, 400, 0.4)


def test_while_planning_the_total_is_what_the_input_held_when_made() -> None:
    """Not the rows planned so far (it showed 2,000 done of 0 while a CSV was read)."""
    started = utcnow() - timedelta(seconds=10)
    planning = action(
        status=BulkActionStatus.PROCESSING,
        total=None,
        expected_total=10_000,
        started_at=started,
        finished_at=None,
    )
    stats = figures(planning, Counters(succeeded=2000, chunks_done=2, planned=3000), Waiting(), 600)
    assert (stats.total, stats.processed, stats.progress) == (10_000, 2000, 0.2)
    assert stats.eta_seconds is not None and stats.eta_seconds > 0
    # A filter's matches are not known before planning: the rows planned so far.
    by_filter = action(
        status=BulkActionStatus.PROCESSING, total=None, started_at=started, finished_at=None
    )
    stats = figures(
        by_filter, Counters(succeeded=2000, chunks_done=2, planned=3000), Waiting(), 600
    )
    assert (stats.total, stats.eta_seconds) == (3000, None)


def test_paused_there_is_no_eta_and_cancelling_only_the_rows_being_written_count() -> None:
    started = utcnow() - timedelta(seconds=10)
    running = action(status=BulkActionStatus.PROCESSING, total=10_000, started_at=started)
    counters = Counters(succeeded=1000, chunks_done=1, planned=10_000)  # 100 rows/s so far
    paused = figures(running, counters, Waiting(), 6000, BulkActionStatus.PAUSED, finishing=500)
    assert (paused.eta_seconds, paused.finishing_rows) == (None, 500)
    cancelling = figures(running, counters, Waiting(), 6000, BulkActionStatus.CANCELLING, 500)
    assert cancelling.eta_seconds is not None and 4 <= cancelling.eta_seconds <= 6
    processing = figures(running, counters, Waiting(), 6000)
    assert processing.eta_seconds is not None and processing.eta_seconds >= 90
