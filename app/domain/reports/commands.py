"""Changing a status report: start it, save a row, submit, reopen, record the committee.

Each function runs inside the caller's write transaction, checks access and state first, and
writes the history of what it changed in that same transaction.
"""

from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import TypeVar
from urllib.parse import urlparse

from sqlalchemy import insert, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, select

from app.domain.access import Action, Actor, require
from app.domain.catalogue_queries import build_tree
from app.domain.errors import Conflict, InvalidInput, NotAllowedNow
from app.domain.outbox import Composer
from app.domain.reports.queries import (
    EntryInContext,
    get_entry,
    get_report,
    get_report_address,
    latest_earlier_year,
    previous_statuses,
    report_progress,
    user_name,
)
from app.domain.reports.rules import (
    MAX_COMMITTEE_LENGTH,
    MAX_URL_LENGTH,
    SubmitIncomplete,
    committee_refused,
    reopen_refused,
    rows_locked,
    scope_of,
    start_refused,
)
from app.domain.rounds.notices import notify_editors
from app.domain.statuses import (
    MAX_REASON_LENGTH,
    MAX_REMARK_LENGTH,
    check_opt_out,
    may_opt_out,
    parse_colour,
)
from app.domain.text import clean_text
from app.domain.vocabulary import Colour, Kind, ReportEventKind, ReportState
from app.models import (
    Catalogue,
    Recommendation,
    ReportEvent,
    StatusChange,
    StatusEntry,
    StatusReport,
)

T = TypeVar("T")


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


def _refuse_if(refusal: NotAllowedNow | None) -> None:
    if refusal is not None:
        raise refusal


def _event(
    session: Session,
    report: StatusReport,
    event: ReportEventKind,
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

    With ``carry_over``, each row starts from the status of the latest earlier report of the
    municipality (last year's, or the one before when a year was missed; the report remembers which
    year in ``carried_from_year``) for the same recommendation (or the one it replaced one-to-one),
    and is marked unconfirmed until someone confirms or changes it. With no earlier report, the
    rows start empty.
    """
    address = get_report_address(session, municipality_code, year)
    municipality, reporting_round = address.municipality, address.round
    assert reporting_round.id is not None
    require(actor, Action.EDIT_REPORT, scope_of(municipality, address.report, reporting_round))
    _refuse_if(start_refused(reporting_round, address.report))

    from_year = latest_earlier_year(session, municipality, year) if carry_over else None
    report = StatusReport(
        round_id=reporting_round.id,
        municipality_code=municipality.code,
        state=ReportState.IN_PROGRESS,
        started_at=now,
        started_by_id=actor.user_id,
        carried_from_year=from_year,
    )
    session.add(report)
    try:
        session.flush()
    except IntegrityError:  # someone else started it a moment ago
        raise NotAllowedNow("Statusrapporten er allerede startet.") from None
    assert report.id is not None

    catalogue = session.get(Catalogue, reporting_round.catalogue_id)
    assert catalogue is not None
    recommendations = build_tree(session, catalogue, address.kkr, year=year).recommendations
    previous = (
        previous_statuses(session, municipality, from_year, [rec.id or 0 for rec in recommendations])
        if from_year is not None
        else {}
    )
    for rec in recommendations:
        assert rec.id is not None
        entry = StatusEntry(report_id=report.id, recommendation_id=rec.id)
        sources = previous.get(rec.id, [])
        if len(sources) == 1 and (sources[0].colour or sources[0].remark or sources[0].opted_out):
            last = sources[0]
            entry.colour = last.colour
            entry.remark = last.remark
            entry.opted_out = last.opted_out and may_opt_out(rec.kind)
            # A fravalgt row needs its reason, or it could not be confirmed as it stands.
            entry.opt_out_reason = last.opt_out_reason if entry.opted_out else ""
            entry.confirmed = False
        session.add(entry)
    _event(session, report, ReportEventKind.STARTED, actor, now, f"fra status for {from_year}" if from_year else "tom")
    session.flush()
    return report


# ---------------------------------------------------------------------------- rows


@dataclass(frozen=True)
class EntrySnapshot:
    """A row as it stands in the database: what a conflict shows the user who lost the race."""

    colour: Colour | None
    remark: str
    opted_out: bool
    opt_out_reason: str
    confirmed: bool
    version: int
    updated_by: str | None
    updated_at: datetime | None


class RowConflict(Conflict):
    """A row save based on a version someone else has changed; ``snapshot`` is their row."""

    def __init__(self, snapshot: EntrySnapshot) -> None:
        who = snapshot.updated_by or "en anden"
        current = asdict(snapshot)
        current["updated_at"] = snapshot.updated_at.isoformat() if snapshot.updated_at else None
        super().__init__(
            f"Rækken er ændret af {who}, mens du arbejdede. Din ændring er ikke gemt: "
            "se den gemte værdi, og gem igen, hvis din skal gælde.",
            current=current,
        )
        self.snapshot = snapshot


def snapshot_of(session: Session, entry: StatusEntry) -> EntrySnapshot:
    """The row as it stands, with the name of who saved it last."""
    return EntrySnapshot(
        colour=entry.colour,
        remark=entry.remark,
        opted_out=entry.opted_out,
        opt_out_reason=entry.opt_out_reason,
        confirmed=entry.confirmed,
        version=entry.version,
        updated_by=user_name(session, entry.updated_by_id),
        updated_at=entry.updated_at,
    )


def _conflict(session: Session, entry: StatusEntry) -> RowConflict:
    return RowConflict(snapshot_of(session, entry))


def checked_values(kind: Kind, data: EntryInput) -> tuple[dict[str, object], list[InvalidInput]]:
    """What a row holds once ``data`` is saved, or every field's refusal (in the form's order).

    The one check of a row's values: the form, the API and the spreadsheet import all use it.
    """
    problems: list[InvalidInput] = []

    def attempt(check: Callable[[], T]) -> T | None:
        try:
            return check()
        except InvalidInput as problem:
            problems.append(problem)
            return None

    colour = attempt(lambda: parse_colour(data.colour))
    remark = attempt(
        lambda: clean_text(data.remark, field="remark", label="Bemærkningen", max_length=MAX_REMARK_LENGTH)
    )
    reason = attempt(
        lambda: clean_text(
            data.opt_out_reason, field="opt_out_reason", label="Begrundelsen", max_length=MAX_REASON_LENGTH
        )
    )
    if reason is not None:
        attempt(lambda: check_opt_out(kind, data.opted_out, reason))
    if problems:
        return {}, problems
    return {
        # A row that is fravalgt has no colour: it is counted apart from red.
        "colour": None if data.opted_out else colour,
        "remark": remark,
        "opted_out": data.opted_out,
        "opt_out_reason": reason if data.opted_out else "",
        "confirmed": True,
    }, []


@dataclass(frozen=True)
class SavedEntry:
    """What a row save did: the row in its context as it now stands, and whether it changed."""

    found: EntryInContext
    changed: bool
    confirmed_now: bool = False  # the save confirmed a row carried over (the confirm-all list shrank)


def save_entry(session: Session, actor: Actor, entry_id: int, data: EntryInput, *, now: datetime) -> SavedEntry:
    """Save one row as the user sent it, if it is still the version they were looking at.

    Saving confirms a row carried over from last year. Only the fields that changed go into
    the history; a save that changes nothing writes nothing.
    """
    found = get_entry(session, entry_id)
    entry, rec = found.entry, found.recommendation
    require(actor, Action.EDIT_REPORT, scope_of(found.municipality, found.report, found.round))
    _refuse_if(rows_locked(found.round, found.report))

    new, problems = checked_values(rec.kind, data)
    if problems:
        raise problems[0]
    if entry.version != data.version:
        raise _conflict(session, entry)
    changed = {name: value for name, value in new.items() if getattr(entry, name) != value}
    if not changed:
        return SavedEntry(found, changed=False)

    old = {name: getattr(entry, name) for name in changed}
    values = {**changed, "version": data.version + 1, "updated_at": now, "updated_by_id": actor.user_id}
    result = session.execute(
        update(StatusEntry)
        .where(col(StatusEntry.id) == entry_id, col(StatusEntry.version) == data.version)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]  # another process got in first
        session.refresh(entry)
        raise _conflict(session, entry)
    # The row in hand now holds what was written, as if loaded so (no second UPDATE at flush).
    for name, value in values.items():
        set_committed_value(entry, name, value)
    # One INSERT of the history rows, without the unit of work's bookkeeping for objects that
    # nothing in this request reads again.
    session.execute(
        insert(StatusChange),
        [
            {
                "entry_id": entry_id,
                "version": data.version + 1,
                "field": name,
                "old_value": _as_text(old[name]),
                "new_value": _as_text(value),
                "changed_at": now,
                "changed_by_id": actor.user_id,
            }
            for name, value in changed.items()
        ],
    )
    # The answer is built from the row in hand, not read back.
    return SavedEntry(found, changed=True, confirmed_now="confirmed" in changed)


def _as_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "ja" if value else "nej"
    if isinstance(value, Colour):
        return value.value
    return str(value)


@dataclass(frozen=True)
class ConfirmedRows:
    """What "Bekræft alle uændrede" did: the report, and how many rows it confirmed."""

    ref: ReportRef
    confirmed: int


class RowsChanged(Conflict):
    """Confirming together was refused: someone changed one of the rows since the user looked."""

    def __init__(self, keys: list[str]) -> None:
        count = f"{len(keys)} række er" if len(keys) == 1 else f"{len(keys)} rækker er"
        super().__init__(
            f"{count} ændret af en anden, mens du arbejdede, så intet er bekræftet. "
            "Se rækkerne igen, og bekræft dem derefter.",
            current={"changed": keys},
        )
        self.keys = keys


def confirm_unchanged(
    session: Session, actor: Actor, report_id: int, versions: dict[int, int], *, now: datetime
) -> ConfirmedRows:
    """Confirm at once every row carried over and not yet confirmed ("Bekræft alle uændrede").

    ``versions`` holds, per row id, the version the user was looking at. The same version check as
    a row save: if a row still unconfirmed is not at that version (or the user never saw it), none
    is confirmed (all or nothing), and the refusal names the rows. A row someone saved meanwhile is
    confirmed already (a save confirms), with their value, and is left alone. Each confirmed row
    gets its own history row (Bekræftet: nej → ja), in the caller's one transaction.
    """
    found = get_report(session, report_id)
    report, reporting_round = found.report, found.round
    require(actor, Action.EDIT_REPORT, scope_of(found.municipality, report))
    _refuse_if(rows_locked(reporting_round, report))
    unconfirmed = session.exec(
        select(StatusEntry, Recommendation.key)
        .join(Recommendation, col(Recommendation.id) == StatusEntry.recommendation_id)
        .where(StatusEntry.report_id == report_id, col(StatusEntry.confirmed).is_(False))
        .order_by(col(Recommendation.position))
    ).all()
    stale = [key for entry, key in unconfirmed if versions.get(entry.id or 0) != entry.version]
    if stale:
        raise RowsChanged(stale)
    for entry, key in unconfirmed:
        seen = entry.version
        result = session.execute(
            update(StatusEntry)
            .where(col(StatusEntry.id) == entry.id, col(StatusEntry.version) == seen)
            .values(confirmed=True, version=seen + 1, updated_at=now, updated_by_id=actor.user_id)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]  # another process got in first
            raise RowsChanged([key])
        session.add(
            StatusChange(
                entry_id=entry.id or 0,
                version=seen + 1,
                field="confirmed",
                old_value=_as_text(False),
                new_value=_as_text(True),
                changed_at=now,
                changed_by_id=actor.user_id,
            )
        )
    session.flush()
    return ConfirmedRows(ReportRef(report, reporting_round.year), len(unconfirmed))


# ---------------------------------------------------------------------------- the whole report


def submit_report(session: Session, actor: Actor, report_id: int, *, now: datetime) -> ReportRef:
    """Submit (indsend). Refused with the full list of what is missing; read-only afterwards."""
    found = get_report(session, report_id)
    report, reporting_round = found.report, found.round
    require(actor, Action.EDIT_REPORT, scope_of(found.municipality, report, found.round))
    _refuse_if(rows_locked(reporting_round, report))
    missing = report_progress(session, report_id).missing
    if missing:
        raise SubmitIncomplete(missing)
    report.state = ReportState.SUBMITTED
    report.submitted_at = now
    report.submitted_by_id = actor.user_id
    report.version += 1
    session.add(report)
    _event(session, report, ReportEventKind.SUBMITTED, actor, now)
    session.flush()
    return ReportRef(report, reporting_round.year)


def reopen_report(
    session: Session,
    actor: Actor,
    report_id: int,
    *,
    now: datetime,
    reason: str = "",
    composer: Composer | None = None,
) -> ReportRef:
    """A coordinator hands a submitted report back to the municipality for changes. With a
    ``composer``, the municipality's editors are told by e-mail, with the reason."""
    found = get_report(session, report_id)
    report, reporting_round = found.report, found.round
    require(actor, Action.REOPEN_REPORT, scope_of(found.municipality, report, found.round))
    _refuse_if(reopen_refused(reporting_round, report))
    reason = clean_text(reason, field="reason", label="Begrundelsen", max_length=MAX_REASON_LENGTH)
    report.state = ReportState.IN_PROGRESS
    report.submitted_at = None
    report.submitted_by_id = None
    report.version += 1
    session.add(report)
    _event(session, report, ReportEventKind.REOPENED, actor, now, reason)
    if composer is not None:
        context = {
            "municipality": found.municipality.name,
            "year": reporting_round.year,
            "reason": reason,
            "by": user_name(session, actor.user_id) or "Koordinatoren",
            "path": f"/kommuner/{found.municipality.code}/{reporting_round.year}",
        }
        notify_editors(session, composer, found.municipality.code, kind="reopened", context=context, now=now)
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
    """Record when and by which committee or council the report was dealt with (see
    ``rules.committee_refused`` for when)."""
    found = get_report(session, report_id)
    report = found.report
    require(actor, Action.EDIT_REPORT, scope_of(found.municipality, report, found.round))
    _refuse_if(committee_refused(found.round, report))
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
    _event(session, report, ReportEventKind.COMMITTEE, actor, now, f"{name}, {committee_date.isoformat()}")
    session.flush()
    return report
