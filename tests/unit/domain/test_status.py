"""The lifecycle table: what it allows, and what it must never allow."""

import pytest

from app.domain.status import (
    INITIAL,
    SHOWN_BY_REQUEST,
    TERMINAL_STATUSES,
    TRANSITIONS,
    BulkActionStatus,
    ControlRequest,
    can_move,
    shown_status,
)
from app.engine.lifecycle import IllegalTransition, sources_of

S = BulkActionStatus
SHOWN_ONLY = set(SHOWN_BY_REQUEST)
STORED = [status for status in S if status not in SHOWN_ONLY]


def test_an_ended_action_never_moves_again() -> None:
    for ended in TERMINAL_STATUSES:
        assert not any(can_move(ended, target) for target in S)


def test_shown_statuses_are_never_stored() -> None:
    for shown in SHOWN_ONLY:
        assert shown not in TRANSITIONS
        assert not any(shown in sources for sources in TRANSITIONS.values())


def test_every_stored_status_is_reachable_from_creation() -> None:
    reached = set(INITIAL)
    while True:
        more = {to for to, sources in TRANSITIONS.items() if sources & reached} - reached
        if not more:
            break
        reached |= more
    assert reached == set(STORED)


def test_every_running_status_can_end() -> None:
    for status in set(STORED) - TERMINAL_STATUSES:
        assert any(can_move(status, ended) for ended in TERMINAL_STATUSES), status


@pytest.mark.parametrize("target", list(S))
def test_sources_of_names_only_moves_the_table_allows(target: BulkActionStatus) -> None:
    if target not in TRANSITIONS:
        with pytest.raises(IllegalTransition):
            sources_of(target)
        return
    assert set(sources_of(target)) == TRANSITIONS[target]
    outsider = next((s for s in STORED if s not in TRANSITIONS[target]), None)
    if outsider is not None:
        with pytest.raises(IllegalTransition):
            sources_of(target, only_from=[outsider])


def test_a_request_shows_only_over_the_statuses_it_covers() -> None:
    assert shown_status(S.PROCESSING, ControlRequest.PAUSE) is S.PAUSED
    assert shown_status(S.SCHEDULED, ControlRequest.PAUSE) is S.SCHEDULED
    assert shown_status(S.SCHEDULED, ControlRequest.CANCEL) is S.CANCELLING
    assert shown_status(S.COMPLETED, ControlRequest.CANCEL) is S.COMPLETED
    for status in STORED:
        assert shown_status(status, ControlRequest.RUN) is status
