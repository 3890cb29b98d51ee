"""Changing a status report: start it, save a row, submit, reopen, record the committee.

Each function runs inside the caller's write transaction, checks access and state first, and
writes the history of what it changed in that same transaction.
"""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import urlparse

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.domain.access import Action, Actor, require
from app.domain.catalogue_queries import build_tree
from app.domain.errors import Conflict, DomainError, InvalidInput, NotAllowedNow, NotFound
from app.domain.report_view import (
    Missing,
    ReportState,
    Row,
    RowContext,
    find_entry,
    find_municipality,
    find_report,
    load_row,
    previous_statuses,
    report_progress,
    rows_locked,
    scope_of,
    user_name,
)
from app.domain.rounds import RoundState, round_for
from app.domain.statuses import (
    MAX_REASON_LENGTH,
    MAX_REMARK_LENGTH,
    check_opt_out,
    clean_text,
    may_opt_out,
    parse_colour,
)
from app.models import (
    Catalogue,
    Municipality,
    ReportEvent,
    ReportingRound,
    StatusChange,
    StatusEntry,
    StatusReport,
)

MAX_COMMITTEE_LENGTH = 200
MAX_URL_LENGTH = 500


class SubmitIncomplete(DomainError):
    """Submit was refused; ``missing`` lists every row that needs something."""

    status_code = 422

    def __init__(self, missing: list[Missing]) -> None:
        super().__init__(f"Rapporten kan ikke indsendes endnu: {len(missing)} forhold mangler.")
        self.missing = missing


@dataclass(frozen=True)
class ReportRef:
    """A report together with the year it covers: enough to point back at its page."""

    report: StatusReport
    year: int

    @property
    def municipality_code(self) -> int:
        return self.report.municipality_code


@dataclass(frozen=True)
class EntryInput:
    """A row as the user sent it, and the version of the row they were looking at."""

    colour: str | None
    remark: str
    opted_out: bool
    opt_out_reason: str
    version: int


def _require_unlocked(reporting_round: ReportingRound, report: StatusReport | None) -> None:
    if (locked := rows_locked(reporting_round, report)) is not None:
        raise locked


def _event(
    session: Session,
    report: StatusReport,
    event: str,
    actor: Actor,
    now: datetime,
    detail: str = "",
) -> None:
    assert report.id is not None
    session.add(ReportEvent(report_id=report.id, event=event, detail=detail, at=now, by_id=actor.user_id))


# ---------------------------------------------------------------------------- start


def start_report(
    session: Session,
    actor: Actor,
    municipality_code: int,
    year: int,
    *,
    carry_over: bool,
    now: datetime,
) -> StatusReport:
    """Create the municipality's report for ``year`` with a row per recommendation that applies.

    With ``carry_over``, each row starts from last year's status for the same recommendation (or
    the one it replaced one-to-one) and is marked unconfirmed until someone confirms or changes it.
    """
    municipality, kkr = find_municipality(session, municipality_code)
    reporting_round = round_for(session, municipality.kkr_id, year)
    assert reporting_round.id is not None
    require(actor, Action.EDIT_REPORT, scope_of(municipality, None))
    _require_unlocked(reporting_round, None)
    if find_report(session, reporting_round.id, municipality.code) is not None:
        raise NotAllowedNow("Statusrapporten er allerede startet.")

    report = StatusReport(
        round_id=reporting_round.id,
        municipality_code=municipality.code,
        state=ReportState.IN_PROGRESS,
        started_at=now,
        started_by_id=actor.user_id,
    )
    session.add(report)
    try:
        session.flush()
    except IntegrityError:  # someone else started it a moment ago
        raise NotAllowedNow("Statusrapporten er allerede startet.") from None
    assert report.id is not None

    catalogue = session.get(Catalogue, reporting_round.catalogue_id)
    assert catalogue is not None
    recommendations = build_tree(session, catalogue, kkr, year=year).recommendations
    previous = (
        previous_statuses(session, municipality, year, [rec.id or 0 for rec in recommendations]) if carry_over else {}
    )
    for rec in recommendations:
        assert rec.id is not None
        entry = StatusEntry(report_id=report.id, recommendation_id=rec.id)
        sources = previous.get(rec.id, [])
        if len(sources) == 1 and (sources[0].colour or sources[0].remark or sources[0].opted_out):
            last = sources[0]
            entry.colour = last.colour.value if last.colour else None
            entry.remark = last.remark
            entry.opted_out = last.opted_out and may_opt_out(rec.kind)
            entry.confirmed = False
        session.add(entry)
    _event(session, report, "started", actor, now, "fra sidste års status" if carry_over else "tom")
    session.flush()
    return report


# ---------------------------------------------------------------------------- rows


def _current_values(session: Session, entry: StatusEntry) -> dict[str, Any]:
    return {
        "colour": entry.colour,
        "remark": entry.remark,
        "opted_out": entry.opted_out,
        "opt_out_reason": entry.opt_out_reason,
        "confirmed": entry.confirmed,
        "version": entry.version,
        "updated_by": user_name(session, entry.updated_by_id),
        "updated_at": entry.updated_at.isoformat() if entry.updated_at else None,
    }


def _conflict(session: Session, entry: StatusEntry) -> Conflict:
    current = _current_values(session, entry)
    who = current["updated_by"] or "en anden"
    return Conflict(
        f"Rækken er ændret af {who}, mens du arbejdede. Din ændring er ikke gemt: "
        "se den gemte værdi, og gem igen, hvis din skal gælde.",
        current=current,
    )


def save_entry(session: Session, actor: Actor, entry_id: int, data: EntryInput, *, now: datetime) -> RowContext:
    """Save one row as the user sent it, if it is still the version they were looking at.

    Saving confirms a row carried over from last year. Only the fields that changed go into
    the history; a save that changes nothing writes nothing.
    """
    entry, report, reporting_round, municipality, rec = find_entry(session, entry_id)
    require(actor, Action.EDIT_REPORT, scope_of(municipality, report))
    _require_unlocked(reporting_round, report)

    colour = parse_colour(data.colour)
    remark = clean_text(data.remark, field="remark", label="Bemærkningen", max_length=MAX_REMARK_LENGTH)
    reason = clean_text(
        data.opt_out_reason,
        field="opt_out_reason",
        label="Begrundelsen",
        max_length=MAX_REASON_LENGTH,
    )
    check_opt_out(rec.kind, data.opted_out, reason)
    new = {
        # A row that is fravalgt has no colour: it is counted apart from red.
        "colour": None if data.opted_out else (colour.value if colour else None),
        "remark": remark,
        "opted_out": data.opted_out,
        "opt_out_reason": reason if data.opted_out else "",
        "confirmed": True,
    }
    if entry.version != data.version:
        raise _conflict(session, entry)
    changed = {name: value for name, value in new.items() if getattr(entry, name) != value}
    if not changed:
        return load_row(session, actor, entry_id)

    old = {name: getattr(entry, name) for name in changed}
    result = session.execute(
        update(StatusEntry)
        .where(col(StatusEntry.id) == entry_id, col(StatusEntry.version) == data.version)
        .values(**changed, version=data.version + 1, updated_at=now, updated_by_id=actor.user_id)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]  # another process got in first
        session.refresh(entry)
        raise _conflict(session, entry)
    for name, value in changed.items():
        session.add(
            StatusChange(
                entry_id=entry_id,
                version=data.version + 1,
                field=name,
                old_value=_as_text(old[name]),
                new_value=_as_text(value),
                changed_at=now,
                changed_by_id=actor.user_id,
            )
        )
    session.flush()
    # The UPDATE above also set these values on ``entry`` in the session (SQLAlchemy evaluates
    # its criteria in Python), so the answer is built from what is in hand, not read back.
    previous = previous_statuses(session, municipality, reporting_round.year, [rec.id or 0])
    row = Row(rec, entry, previous.get(rec.id or 0, []), user_name(session, actor.user_id))
    return RowContext(row, reporting_round.year, editable=True, report_id=report.id or 0)


def _as_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "ja" if value else "nej"
    return str(value)


# ---------------------------------------------------------------------------- the whole report


def _load_report(session: Session, report_id: int) -> tuple[StatusReport, ReportingRound, Municipality]:
    found = session.exec(
        select(StatusReport, ReportingRound, Municipality)
        .join(ReportingRound, col(ReportingRound.id) == StatusReport.round_id)
        .join(Municipality, col(Municipality.code) == StatusReport.municipality_code)
        .where(StatusReport.id == report_id)
    ).first()
    if found is None:
        raise NotFound("Statusrapporten findes ikke.")
    return found[0], found[1], found[2]


def submit_report(session: Session, actor: Actor, report_id: int, *, now: datetime) -> ReportRef:
    """Submit (indsend). Refused with the full list of what is missing; read-only afterwards."""
    report, reporting_round, municipality = _load_report(session, report_id)
    require(actor, Action.EDIT_REPORT, scope_of(municipality, report))
    _require_unlocked(reporting_round, report)
    missing = report_progress(session, report_id).missing
    if missing:
        raise SubmitIncomplete(missing)
    report.state = ReportState.SUBMITTED
    report.submitted_at = now
    report.submitted_by_id = actor.user_id
    report.version += 1
    session.add(report)
    _event(session, report, "submitted", actor, now)
    session.flush()
    return ReportRef(report, reporting_round.year)


def reopen_report(session: Session, actor: Actor, report_id: int, *, now: datetime, reason: str = "") -> ReportRef:
    """A coordinator hands a submitted report back to the municipality for changes."""
    report, reporting_round, municipality = _load_report(session, report_id)
    require(actor, Action.REOPEN_REPORT, scope_of(municipality, report))
    _require_unlocked(reporting_round, None)
    if report.state != ReportState.SUBMITTED:
        raise NotAllowedNow("Rapporten er ikke indsendt, så der er intet at genåbne.")
    reason = clean_text(reason, field="reason", label="Begrundelsen", max_length=MAX_REASON_LENGTH)
    report.state = ReportState.IN_PROGRESS
    report.submitted_at = None
    report.submitted_by_id = None
    report.version += 1
    session.add(report)
    _event(session, report, "reopened", actor, now, reason)
    session.flush()
    return ReportRef(report, reporting_round.year)


def record_committee(
    session: Session,
    actor: Actor,
    report_id: int,
    *,
    committee_name: str,
    committee_date: date | None,
    agenda_url: str,
    version: int,
    now: datetime,
) -> StatusReport:
    """Record when and by which committee or council the report was dealt with.

    Allowed after submission and after the round has closed, since councils meet after the
    deadline; not once the round is published, as the published report is frozen.
    """
    report, reporting_round, municipality = _load_report(session, report_id)
    require(actor, Action.EDIT_REPORT, scope_of(municipality, report))
    if reporting_round.state == RoundState.PUBLISHED:
        raise NotAllowedNow("Runden er offentliggjort; rapportens oplysninger kan ikke længere ændres.")
    if report.version != version:
        raise Conflict(
            "Rapportens oplysninger er ændret af en anden, mens du arbejdede. Genindlæs siden.",
            current={"committee_name": report.committee_name, "version": report.version},
        )
    name = clean_text(committee_name, field="committee_name", label="Udvalget", max_length=MAX_COMMITTEE_LENGTH)
    if not name:
        raise InvalidInput(
            "Skriv hvilket udvalg eller hvilken kommunalbestyrelse der behandlede rapporten.",
            field="committee_name",
        )
    if committee_date is None:
        raise InvalidInput("Angiv datoen for behandlingen.", field="committee_date")
    if committee_date > now.date():
        raise InvalidInput("Datoen for behandlingen kan ikke ligge i fremtiden.", field="committee_date")
    url = agenda_url.strip()
    if len(url) > MAX_URL_LENGTH:
        raise InvalidInput(f"Linket må højst være {MAX_URL_LENGTH} tegn.", field="agenda_url")
    if url and (urlparse(url).scheme not in ("http", "https") or not urlparse(url).netloc):
        raise InvalidInput("Linket skal være en webadresse, der starter med https://", field="agenda_url")
    report.committee_name, report.committee_date, report.agenda_url = name, committee_date, url
    report.version += 1
    session.add(report)
    _event(session, report, "committee", actor, now, f"{name}, {committee_date.isoformat()}")
    session.flush()
    return report
