"""The CLI's drip notation: paces, day ranges (wrapping over the week's end), windows."""

import pytest

from client.drip import DripNotation, drip_input, read_days


def test_a_pace_in_the_notation_becomes_a_drip_input() -> None:
    assert drip_input("500/10m", "MON-FRI", "09:00-17:00", "Europe/Berlin") == {
        "batchSize": 500,
        "everySeconds": 600,
        "days": ["MON", "TUE", "WED", "THU", "FRI"],
        "window": {"from": "09:00", "to": "17:00"},
        "timeZone": "Europe/Berlin",
    }
    assert drip_input("20/45")["everySeconds"] == 45
    assert drip_input("1/2d")["everySeconds"] == 2 * 86400
    assert drip_input("3 / 1h", window="22:00-6:00")["window"] == {"from": "22:00", "to": "06:00"}


def test_day_ranges_and_lists() -> None:
    assert read_days("fri-mon") == ["MON", "FRI", "SAT", "SUN"]
    assert read_days("MON,wed, FRI-SUN") == ["MON", "WED", "FRI", "SAT", "SUN"]
    assert read_days("TUE") == ["TUE"]


@pytest.mark.parametrize(
    ("pace", "days", "window"),
    [("fast", None, None), ("5/10x", None, None), ("5/1m", "MON-FUN", None), ("5/1m", None, "9-5")],
)
def test_other_notations_are_refused_naming_the_option(
    pace: str, days: str | None, window: str | None
) -> None:
    with pytest.raises(DripNotation, match=r"^--"):
        drip_input(pace, days, window)
