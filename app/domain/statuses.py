"""The traffic light and the rules for what a row may hold."""

from app.domain.errors import InvalidInput
from app.domain.vocabulary import Colour, Kind

MAX_REMARK_LENGTH = 2000
MAX_REASON_LENGTH = 2000


def parse_colour(value: str | None) -> Colour | None:
    if value is None or value == "":
        return None
    try:
        return Colour(value)
    except ValueError:
        raise InvalidInput("Vælg grøn, gul eller rød.", field="colour") from None


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
