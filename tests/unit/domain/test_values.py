"""Keys as text: equal numbers share one, however they are written; other values their own."""

from hypothesis import given
from hypothesis import strategies as st

from app.domain.values import INT64_MAX, INT64_MIN, key_text

NUMBERS = st.one_of(
    st.integers(INT64_MIN, INT64_MAX), st.floats(allow_nan=False, allow_infinity=False)
)


@given(NUMBERS, NUMBERS)
def test_numbers_share_a_key_exactly_when_they_are_equal(first: float, second: float) -> None:
    assert (key_text(first) == key_text(second)) == (first == second)


def test_texts_and_ids_keep_their_own_text() -> None:
    assert key_text("1.0") == "1.0"
    assert key_text("a@b.io") == "a@b.io"
    assert key_text(-0.0) == key_text(0) == "0"
