"""The traffic light and the rules for what a row may hold."""

import enum
import re
from datetime import date

from app.domain.catalogue_schema import Kind
from app.domain.errors import InvalidInput

MAX_REMARK_LENGTH = 2000
MAX_REASON_LENGTH = 2000


class Colour(enum.StrEnum):
    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"

    @property
    def label(self) -> str:
        return {"green": "Grøn", "yellow": "Gul", "red": "Rød"}[self.value]

    @property
    def shape(self) -> str:
        # Never colour alone: each colour has its own shape as well as its name.
        return {"green": "●", "yellow": "▲", "red": "■"}[self.value]

    @property
    def needs_remark(self) -> bool:
        return self is not Colour.GREEN


def parse_colour(value: str | None) -> Colour | None:
    if value is None or value == "":
        return None
    try:
        return Colour(value)
    except ValueError:
        raise InvalidInput("Vælg grøn, gul eller rød.", field="colour") from None


# A CPR number: DDMMYY, an optional dash or space, four digits; not inside a longer number.
_CPR = re.compile(r"(?<![\d-])(\d{2})(\d{2})(\d{2})[- ]?\d{4}(?![\d-])")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def looks_like_cpr(text: str) -> bool:
    """True when ``text`` holds ten digits that form a real date of birth, as a CPR number does."""
    for match in _CPR.finditer(text):
        day, month, year = (int(part) for part in match.groups())
        for century in (1900, 2000):
            try:
                date(century + year, month, day)
            except ValueError:
                continue
            return True
    return False


def clean_text(value: str, *, field: str, label: str, max_length: int) -> str:
    """Plain text as the user meant it: trimmed, Unix line ends, no control characters.

    Refused if it is too long or looks like it holds a CPR number (reports are published).
    """
    text = _CONTROL.sub("", value.replace("\r\n", "\n").replace("\r", "\n")).strip()
    if len(text) > max_length:
        raise InvalidInput(
            f"{label} må højst være {max_length:,} tegn; den er {len(text):,}.".replace(",", "."),
            field=field,
        )
    if looks_like_cpr(text):
        raise InvalidInput(
            f"{label} ser ud til at indeholde et CPR-nummer. Fjern det: statusrapporter offentliggøres.",
            field=field,
        )
    return text


def may_opt_out(kind: str) -> bool:
    """Only a "kan" recommendation may be deliberately not chosen (fravalgt)."""
    return kind == Kind.KAN


def check_opt_out(kind: str, opted_out: bool, reason: str) -> None:
    """Fravalgt only where ``may_opt_out`` allows it, and only with a reason."""
    if not opted_out:
        return
    if not may_opt_out(kind):
        raise InvalidInput("Kun en KAN-anbefaling kan fravælges.", field="opted_out")
    if not reason:
        raise InvalidInput("Skriv hvorfor anbefalingen er fravalgt.", field="opt_out_reason")
