"""Work that finds a service down waits for it without spending a retry, for a while."""

from workers.actors import OUTAGE_SINCE, outage_began

MINUTE_MS = 60_000


def test_a_first_outage_starts_now() -> None:
    assert outage_began({"retries": 1}, 5 * MINUTE_MS, 15 * MINUTE_MS) == 5 * MINUTE_MS


def test_an_outage_is_waited_for_until_patience_runs_out() -> None:
    options = {OUTAGE_SINCE: MINUTE_MS}
    assert outage_began(options, 15 * MINUTE_MS, 15 * MINUTE_MS) == MINUTE_MS
    assert outage_began(options, 16 * MINUTE_MS, 15 * MINUTE_MS) is None


def test_no_patience_spends_retries_at_once() -> None:
    assert outage_began({}, MINUTE_MS, 0) is None
