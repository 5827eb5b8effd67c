"""Keyset cursors: opaque, bound to their list, refused when forged."""

import pytest

from app.domain.errors import BadUserInput
from app.usecases.pagination import decode_cursor, encode_cursor, page_size


def test_a_cursor_round_trips_within_its_list_only() -> None:
    cursor = encode_cursor("log", 42)
    assert decode_cursor("log", cursor) == "42"
    with pytest.raises(BadUserInput):
        decode_cursor("action", cursor)


@pytest.mark.parametrize("forged", ["", "not base64!", "bG9nOg==", "////"])
def test_forged_cursors_are_bad_input(forged: str) -> None:
    with pytest.raises(BadUserInput):
        decode_cursor("log", forged)


def test_page_sizes_are_bounded() -> None:
    assert page_size(None) >= 1
    with pytest.raises(BadUserInput):
        page_size(0)
    with pytest.raises(BadUserInput):
        page_size(10**9)
