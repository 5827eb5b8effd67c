"""A drip action's pace in force and its batches, as stored.

The pace is a document of its own under the action's id, written only by the API (create and
`updateBulkActionDrip`), like the owner's pause or cancel (app.domain.models.action_control):
the workers update the action while it runs, and FerretDB v1 loses one of two concurrent
updates of a document. A batch is one document per batch, inserted once by the chunk that
starts it: MongoDB says which batches started and when, whatever Redis or a worker forgets.
"""

from datetime import datetime, time, timedelta
from typing import ClassVar

from beanie import Document, PydanticObjectId
from pydantic import Field
from pymongo import ASCENDING, DESCENDING, IndexModel

from app.domain.clock import utcnow
from app.domain.drip.batches import Batch
from app.domain.drip.pace import WEEKDAYS, Pace, Window


class DripPace(Document):
    id: PydanticObjectId  # the action's id
    account_id: str
    batch_size: int
    every_seconds: int
    days: list[str]  # WEEKDAYS names, in week order
    window_from: str | None = None  # "HH:MM"
    window_to: str | None = None
    time_zone: str = "UTC"
    updated_at: datetime = Field(default_factory=utcnow)

    class Settings:
        name = "drip_paces"

    @classmethod
    def of(cls, action_id: PydanticObjectId, account_id: str, pace: Pace) -> "DripPace":
        window = pace.window
        return cls(
            id=action_id,
            account_id=account_id,
            batch_size=pace.batch_size,
            every_seconds=int(pace.every.total_seconds()),
            days=[day for number, day in enumerate(WEEKDAYS) if number in pace.days],
            window_from=None if window is None else window.start.strftime("%H:%M"),
            window_to=None if window is None else window.end.strftime("%H:%M"),
            time_zone=pace.time_zone,
        )

    def pace(self) -> Pace:
        window = None
        if self.window_from is not None and self.window_to is not None:
            window = Window(
                time.fromisoformat(self.window_from), time.fromisoformat(self.window_to)
            )
        return Pace(
            self.batch_size,
            timedelta(seconds=self.every_seconds),
            frozenset(WEEKDAYS.index(day) for day in self.days),
            window,
            self.time_zone,
        )


class DripBatch(Document):
    id: str  # type: ignore[assignment]  # "<action_id>:<number>": a batch starts once
    action_id: PydanticObjectId
    number: int
    started_at: datetime
    rows: int  # given to it so far (its chunks' rows)
    size: int  # the batch size in force when it started
    placed: int  # rows given to it and to every batch before it
    chunks: list[str]  # the chunks given to it
    due_at: datetime | None = None  # when it was due (it started at or after)

    class Settings:
        name = "drip_batches"
        indexes: ClassVar[list[IndexModel]] = [
            IndexModel([("action_id", ASCENDING), ("number", DESCENDING)]),
        ]

    @staticmethod
    def id_for(action_id: PydanticObjectId, number: int) -> str:
        return f"{action_id}:{number}"

    def batch(self) -> Batch:
        return Batch(
            self.number,
            self.started_at,
            self.rows,
            self.size,
            self.placed,
            tuple(self.chunks),
            self.due_at,
        )
