"""An action's statuses as data: which exist, which moves between them are allowed, which
are final, and which are only shown while an owner's request is in force.

`app.engine.lifecycle` is the one writer of a stored status and checks every move against
`TRANSITIONS`; readers (the API, the sweeper) use the sets here.
"""

from enum import StrEnum


class BulkActionStatus(StrEnum):
    SCHEDULED = "SCHEDULED"
    QUEUED = "QUEUED"
    PROCESSING = "PROCESSING"
    # Shown while the owner's pause or cancel is in force and the action has not ended; never
    # stored on the action itself (see ActionControl).
    PAUSED = "PAUSED"
    CANCELLING = "CANCELLING"
    COMPLETED = "COMPLETED"
    COMPLETED_WITH_ERRORS = "COMPLETED_WITH_ERRORS"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"


class ControlRequest(StrEnum):
    """What the action's owner asked for (stored in ActionControl)."""

    RUN = "RUN"
    PAUSE = "PAUSE"
    CANCEL = "CANCEL"


S = BulkActionStatus

# The stored statuses an action is created with.
INITIAL = frozenset({S.SCHEDULED, S.QUEUED})
# Waiting to start: the planner starts these (a cancelled one at once, to log its rows).
PLANNABLE = (S.QUEUED, S.SCHEDULED)
TERMINAL_STATUSES = frozenset({S.COMPLETED, S.COMPLETED_WITH_ERRORS, S.FAILED, S.CANCELLED})

# Every allowed move of a stored status: target → the statuses it may come from.
TRANSITIONS: dict[BulkActionStatus, frozenset[BulkActionStatus]] = {
    # The planner starts a due action.
    S.PROCESSING: frozenset({S.QUEUED, S.SCHEDULED}),
    # Every chunk is done.
    S.COMPLETED: frozenset({S.PROCESSING}),
    S.COMPLETED_WITH_ERRORS: frozenset({S.PROCESSING}),
    # Cancelled: its last chunk logged its rows (one cancelled before its start too).
    S.CANCELLED: frozenset({S.PROCESSING}),
    # Its input could not be read, or planning ran out of retries.
    S.FAILED: frozenset({S.QUEUED, S.SCHEDULED, S.PROCESSING}),
}

# The statuses shown while a request is in force: each with its request and the stored
# statuses it shows over (a pause does not show over an action that has not started).
SHOWN_BY_REQUEST: dict[BulkActionStatus, tuple[ControlRequest, tuple[BulkActionStatus, ...]]] = {
    S.PAUSED: (ControlRequest.PAUSE, (S.QUEUED, S.PROCESSING)),
    S.CANCELLING: (ControlRequest.CANCEL, (S.SCHEDULED, S.QUEUED, S.PROCESSING)),
}


def can_move(current: BulkActionStatus, target: BulkActionStatus) -> bool:
    return current in TRANSITIONS.get(target, frozenset())


def request_shows(stored: BulkActionStatus) -> bool:
    """Whether an owner's request can change how an action of this status is shown."""
    return any(stored in over for _, over in SHOWN_BY_REQUEST.values())


def shown_status(stored: BulkActionStatus, request: ControlRequest) -> BulkActionStatus:
    """The status as the owner sees it: a pause or cancel in force shows until the end."""
    for shown, (requested, over) in SHOWN_BY_REQUEST.items():
        if request is requested and stored in over:
            return shown
    return stored
