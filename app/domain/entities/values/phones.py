"""Phone numbers a spreadsheet shortened.

A column of phone numbers that a spreadsheet took for numbers is saved in scientific
notation once they are long (`4.91701E+11` for +49 170 1234567): its digits are gone, and
stored it would be no phone number at all. Such a cell fails its row, saying what to do.
"""

import re
from typing import Annotated

from app.domain.entities.values.text_checks import TextCheck

SCIENTIFIC = re.compile(r"^\s*[+-]?\d(?:[.,]\d+)?[eE]\+?\d+\s*$")


def shortened(text: str) -> str | None:
    if ("E" in text or "e" in text) and SCIENTIFIC.match(text):
        return (
            f"{text.strip()!r} is a number a spreadsheet shortened, its digits lost: format "
            "the column as text and save the file again"
        )
    return None


Phone = Annotated[str, TextCheck(shortened)]
