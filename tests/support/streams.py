"""A byte stream cut anywhere, as uploads arrive: for the tests of what reads them as they
pass (line ends, encodings, separators), which must give the same whatever the cuts."""

from hypothesis import strategies as st


def cut_points(data: bytes) -> st.SearchStrategy[list[int]]:
    """Where to cut `data`: a few places, in order (repeats make empty pieces)."""
    return st.lists(st.integers(0, len(data)), max_size=6).map(sorted)


def pieces(data: bytes, cuts: list[int]) -> list[bytes]:
    """`data` cut at `cuts`."""
    return [data[start:end] for start, end in zip([0, *cuts], [*cuts, len(data)], strict=True)]
