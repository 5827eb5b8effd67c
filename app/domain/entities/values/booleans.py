"""True or false as cells write it: pydantic's words (true/false, yes/no, on/off, 1/0, t/f,
y/n), in any case and with spaces around, and the words a spreadsheet in another language
writes for TRUE and FALSE (Excel's German WAHR/FALSCH, French VRAI/FAUX, and others), which
an export from such a sheet holds. Anything else fails its row, naming what is taken."""

from typing import Annotated, Any

from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError

from app.domain.entities.values.text_checks import shown

# Excel's TRUE and FALSE in the languages it is sold in most, as its exports write them
# (Russian's in lower case, which reads the same), taken in any case.
SPREADSHEET_TRUE = (
    "WAHR VRAI VERDADERO VERO VERDADEIRO WAAR SANT SAND SANN TOSI PRAWDA PRAVDA DOĞRU IGAZ истина"
)
SPREADSHEET_FALSE = (
    "FALSCH FAUX FALSO ONWAAR FALSKT FALSK USANN EPÄTOSI FAŁSZ NEPRAVDA YANLIŞ HAMIS ложь"
)
SPREADSHEET_WORDS = {
    **{word.lower(): True for word in SPREADSHEET_TRUE.split()},
    **{word.lower(): False for word in SPREADSHEET_FALSE.split()},
}
WORDS = {
    **dict.fromkeys(("true", "t", "yes", "y", "on", "1"), True),
    **dict.fromkeys(("false", "f", "no", "n", "off", "0"), False),
    **SPREADSHEET_WORDS,
}


def to_boolean(value: Any) -> Any:
    """A cell's text as true or false; any other value left to pydantic's own check."""
    if value.__class__ is not str:
        return value
    found = WORDS.get(value.strip().lower())
    if found is None:
        raise PydanticCustomError(
            "boolean",
            "{shown} is not true or false (true/false, yes/no, 1/0)",
            {"shown": shown(value)},
        )
    return found


# A true-or-false field's type.
Boolean = Annotated[bool, BeforeValidator(to_boolean)]
