"""One place for "now", always timezone-aware UTC."""

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)


def stored_now() -> datetime:
    """Now to the millisecond, as MongoDB stores it: written and read back, it compares equal."""
    now = utcnow()
    return now.replace(microsecond=now.microsecond // 1000 * 1000)
