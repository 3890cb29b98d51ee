"""Text as the product takes it in and sorts it, everywhere (forms, API, imports, PDFs): plain
text cleaned, a CPR guard, and Danish sorting."""

import re
from datetime import date

from app.domain.errors import InvalidInput

# The longest e-mail address a mail server must accept (RFC 5321: a 254-character path).
MAX_EMAIL_LENGTH = 254

# A CPR number: DDMMYY, an optional dash or space, four digits; not inside a longer number.
_CPR = re.compile(r"(?<![\d-])(\d{2})(\d{2})(\d{2})[- ]?\d{4}(?![\d-])")
# Control characters, and the invisible bidirectional controls (U+200E/F marks, U+202A-E
# embeddings and overrides, U+2066-9 isolates, U+061C): one of those in a remark can make a
# published report show text reversed or out of order ("Trojan Source"). Plain text needs none.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


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
    """Plain text as the user meant it: trimmed, Unix line ends, no control characters (bidirectional
    controls included: they are stripped).

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


_DANISH_ORDER = {"æ": "{", "ø": "|", "å": "}", "aa": "}"}


def danish_sort_key(name: str) -> str:
    """Sort as a Danish reader expects: Æ, Ø, Å after Z, and Aa (Aabenraa, Aarhus) as Å."""
    key = name.lower()
    if key.startswith("aa"):
        key = "å" + key[2:]
    return "".join(_DANISH_ORDER.get(char, char) for char in key)


def genitive(name: str) -> str:
    """A Danish name in the genitive: "Allerøds", "Furesøs"; a name that ends in s, x or z takes
    an apostrophe instead ("Frederiks'")."""
    return f"{name}'" if name[-1:].lower() in ("s", "x", "z") else f"{name}s"
