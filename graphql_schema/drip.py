"""Drip mode in the schema: the pace a client sets (DripInput) and the one in force (Drip)."""

from enum import Enum

import strawberry

from app.domain.drip import WEEKDAYS, Pace
from app.usecases.drip import DripRequest


@strawberry.enum(description="A day of the week.")
class Weekday(Enum):
    MON = strawberry.enum_value("MON", description="Monday.")
    TUE = strawberry.enum_value("TUE", description="Tuesday.")
    WED = strawberry.enum_value("WED", description="Wednesday.")
    THU = strawberry.enum_value("THU", description="Thursday.")
    FRI = strawberry.enum_value("FRI", description="Friday.")
    SAT = strawberry.enum_value("SAT", description="Saturday.")
    SUN = strawberry.enum_value("SUN", description="Sunday.")


@strawberry.input(description="A daily window of wall-clock time, in the drip's time zone.")
class TimeWindowInput:
    from_: str = strawberry.field(name="from", description='Opens at, "HH:MM" (e.g. "09:00").')
    to: str = strawberry.field(
        description='Closes at, "HH:MM" ("24:00": midnight); before `from`, the window spans '
        "midnight (and belongs to the day it opens)."
    )


@strawberry.input(
    description="An action's own pace: batches of `batchSize` rows, each starting at least "
    "`everySeconds` after the one before, only on `days` inside `window`, in `timeZone`. The "
    "account's limit still holds on top."
)
class DripInput:
    batch_size: int = strawberry.field(
        description="Rows per batch, 1 to 10,000 and at most the account's limit per minute."
    )
    every_seconds: int = strawberry.field(
        description="Seconds from one batch's start to the next one's, 1 to 604,800 (7 days)."
    )
    days: list[Weekday] | None = strawberry.field(
        default=None, description="Days batches may start on (default: every day)."
    )
    window: TimeWindowInput | None = strawberry.field(
        default=None, description="Hours batches may start in (default: all day)."
    )
    time_zone: str | None = strawberry.field(
        default=None, description="IANA time zone of `days` and `window` (default: UTC)."
    )


def drip_request(given: DripInput | None) -> DripRequest | None:
    if given is None:
        return None
    window = None if given.window is None else (given.window.from_, given.window.to)
    return DripRequest(
        batch_size=given.batch_size,
        every_seconds=given.every_seconds,
        days=None if given.days is None else [day.name for day in given.days],
        window=window,
        time_zone=given.time_zone,
    )


@strawberry.type(description="A daily window of wall-clock time.")
class TimeWindow:
    from_: str = strawberry.field(name="from", description='Opens at, "HH:MM".')
    to: str = strawberry.field(description='Closes at, "HH:MM" (before `from`: next day).')


@strawberry.type(description="The pace in force for a drip action.")
class Drip:
    batch_size: int = strawberry.field(description="Rows per batch.")
    every_seconds: int = strawberry.field(description="Seconds between batch starts.")
    days: list[Weekday] = strawberry.field(description="Days batches may start on.")
    window: TimeWindow | None = strawberry.field(description="Hours batches may start in.")
    time_zone: str = strawberry.field(description="IANA time zone of `days` and `window`.")

    @classmethod
    def of(cls, pace: Pace) -> "Drip":
        window = pace.window
        return cls(
            batch_size=pace.batch_size,
            every_seconds=int(pace.every.total_seconds()),
            days=[Weekday[day] for number, day in enumerate(WEEKDAYS) if number in pace.days],
            window=None
            if window is None
            else TimeWindow(from_=window.start.strftime("%H:%M"), to=window.end.strftime("%H:%M")),
            time_zone=pace.time_zone,
        )
