"""Values the database stores exactly as given: text without NUL characters or lone
surrogates (PostgreSQL-backed servers and BSON refuse them), integers within 64 bits, and
finite numbers. Checked at the edge, so such input is a clear error and never half-stored."""

import math
from collections.abc import Mapping
from typing import Any

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


def text_problem(text: str) -> str | None:
    if "\x00" in text:
        return "must not contain NUL (\\u0000) characters"
    if text.isascii():
        return None  # no surrogates: the common case, without an encoding
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "must not contain lone surrogates (unpaired \\ud800-\\udfff)"
    return None


def problem(value: Any) -> str | None:
    """Why the value cannot be stored, or None when it can (lists and objects checked through)."""
    if value is None:
        return None
    if isinstance(value, str):
        return text_problem(value)
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return None if INT64_MIN <= value <= INT64_MAX else "is beyond a 64-bit integer"
    if isinstance(value, float):
        return None if math.isfinite(value) else "must be a finite number"
    if isinstance(value, Mapping):
        for name, item in value.items():
            if (found := problem(name) or problem(item)) is not None:
                return found
    elif isinstance(value, list | tuple):
        for item in value:
            if (found := problem(item)) is not None:
                return found
    return None


def key_text(value: Any) -> str:
    """A key as text that equal keys share: a number by its value, so 1, 1.0 and 1e0 are one
    key (as a unique index holds them), where their own texts differ."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def is_number(value: Any) -> bool:
    """A number, as an increment adds to it (a boolean is not one)."""
    return isinstance(value, int | float) and not isinstance(value, bool)
