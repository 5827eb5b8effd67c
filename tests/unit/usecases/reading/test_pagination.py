"""Keyset cursors: opaque, bound to their list, refused when forged."""

import pytest

from app.domain.errors import BadUserInput
from app.usecases.reading.pagination import (
    PageRequest,
    decode_cursor,
    encode_cursor,
    keyset_bounds,
    page_of,
    page_size,
    reading_order,
    tighten,
)


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


def test_first_and_last_together_are_refused() -> None:
    with pytest.raises(BadUserInput):
        PageRequest(first=1, last=1)
    with pytest.raises(BadUserInput):
        PageRequest(last=0)


def test_a_backward_page_is_shown_in_list_order() -> None:
    request = PageRequest(last=2, before="c")
    found = [5, 4, 3]  # read from the end, one more than the page holds
    page = page_of(found, request, str, total_count=9)
    assert [item for _, item in page.items] == [4, 5]
    assert (page.has_previous_page, page.has_next_page) == (True, True)
    assert (page.start_cursor, page.end_cursor) == ("4", "5")


def test_a_forward_page_knows_more_only_ahead_or_behind_its_cursor() -> None:
    page = page_of([1, 2], PageRequest(first=2), str, total_count=2)
    assert (page.has_previous_page, page.has_next_page) == (False, False)
    page = page_of([3, 4, 5], PageRequest(first=2, after="x"), str, total_count=5)
    assert (page.has_previous_page, page.has_next_page) == (True, True)


def test_bounds_follow_the_list_order() -> None:
    both = PageRequest(after="a", before="b")
    assert keyset_bounds(both, descending=True) == [("$lt", "a"), ("$gt", "b")]
    assert keyset_bounds(both, descending=False) == [("$gt", "a"), ("$lt", "b")]
    assert reading_order(PageRequest(last=1), descending=True) == "+"
    assert reading_order(PageRequest(first=1), descending=True) == "-"
    assert tighten({"$lt": 5, "$gte": 1}, "$lt", 3) == {"$lt": 3, "$gte": 1}
    assert tighten({"$gt": 5}, "$gt", 3) == {"$gt": 5}
