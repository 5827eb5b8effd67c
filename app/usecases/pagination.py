"""Keyset pages: opaque cursors over a sort key, never skip/offset."""

import base64
from dataclasses import dataclass
from typing import Generic, TypeVar

from app.domain.errors import BadUserInput
from app.infra.settings import get_settings

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[tuple[str, T]]  # (cursor, item)
    has_next_page: bool
    total_count: int
    # Paging forward from a cursor: the items up to it come before this page.
    has_previous_page: bool = False

    @property
    def start_cursor(self) -> str | None:
        return self.items[0][0] if self.items else None

    @property
    def end_cursor(self) -> str | None:
        return self.items[-1][0] if self.items else None


def encode_cursor(kind: str, value: str | int) -> str:
    return base64.urlsafe_b64encode(f"{kind}:{value}".encode()).decode()


def decode_cursor(kind: str, cursor: str) -> str:
    try:
        prefix, _, value = base64.urlsafe_b64decode(cursor.encode()).decode().partition(":")
    except (ValueError, UnicodeDecodeError):
        prefix, value = "", ""
    if prefix != kind or not value:
        raise BadUserInput(f"`after` is not a cursor of this list: {cursor!r}.")
    return value


def page_size(first: int | None) -> int:
    settings = get_settings()
    if first is None:
        return settings.page_size_default
    if not 1 <= first <= settings.page_size_max:
        raise BadUserInput(f"`first` must be between 1 and {settings.page_size_max}.")
    return first
