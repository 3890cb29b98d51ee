"""The history of a row: every change, who made it and when, with the field's Danish name."""

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from app.domain.access import Action, Actor, require
from app.domain.reports.queries import get_entry
from app.domain.reports.rules import scope_of
from app.models import Municipality, Recommendation, StatusChange, User


@dataclass(frozen=True)
class HistoryItem:
    version: int
    field: str
    old_value: str | None
    new_value: str | None
    changed_at: datetime
    changed_by: str | None


FIELD_LABELS = {
    "colour": "Farve",
    "remark": "Bemærkning",
    "opted_out": "Fravalgt",
    "opt_out_reason": "Begrundelse for fravalg",
    "confirmed": "Bekræftet",
}


@dataclass(frozen=True)
class RowHistory:
    recommendation: Recommendation
    municipality: Municipality
    year: int
    changes: list[HistoryItem]


def entry_history(session: Session, actor: Actor, entry_id: int) -> RowHistory:
    """Every change to one row, newest first."""
    found = get_entry(session, entry_id)
    require(actor, Action.VIEW_REPORT, scope_of(found.municipality, found.report, found.round))
    changes = session.exec(
        select(StatusChange, User.name)
        .outerjoin(User, col(User.id) == StatusChange.changed_by_id)
        .where(StatusChange.entry_id == entry_id)
        .order_by(col(StatusChange.version).desc(), col(StatusChange.id))
    ).all()
    items = [HistoryItem(c.version, c.field, c.old_value, c.new_value, c.changed_at, name) for c, name in changes]
    return RowHistory(found.recommendation, found.municipality, found.round.year, items)
