"""Reading a status report as the job centre's page shows it: rows in catalogue order, each
with last year's status beside it, and what still stands in the way of submitting."""

import enum
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, col, select

from app.domain.access import Action, Actor, ReportScope, is_allowed, require
from app.domain.catalogue_queries import CatalogueTree, build_tree
from app.domain.catalogue_schema import Kind
from app.domain.errors import NotAllowedNow, NotFound
from app.domain.rounds import RoundState, round_for
from app.domain.statuses import Colour, may_opt_out
from app.models import (
    Catalogue,
    Kkr,
    Municipality,
    Recommendation,
    RecommendationReplacement,
    ReportingRound,
    StatusChange,
    StatusEntry,
    StatusReport,
    User,
)


class ReportState(enum.StrEnum):
    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"


@dataclass(frozen=True)
class PreviousStatus:
    """Last year's status for a recommendation (or for the one it replaced)."""

    key: str
    colour: Colour | None
    remark: str
    opted_out: bool


@dataclass
class Row:
    recommendation: Recommendation
    entry: StatusEntry | None
    previous: list[PreviousStatus] = field(default_factory=list)
    updated_by: str | None = None

    @property
    def colour(self) -> Colour | None:
        return Colour(self.entry.colour) if self.entry and self.entry.colour else None

    @property
    def may_opt_out(self) -> bool:
        return may_opt_out(self.recommendation.kind)


@dataclass(frozen=True)
class Missing:
    """Something that stands in the way of submitting, tied to the row it concerns."""

    recommendation_key: str
    recommendation_text: str
    message: str


@dataclass(frozen=True)
class ReportProgress:
    """How far a report has come: what the page shows above the rows and beside Indsend."""

    total: int
    filled: int  # rows with a colour or fravalgt
    unconfirmed: int  # rows carried over from last year that nobody has confirmed or changed
    missing: list[Missing]


def progress_of(rows: list[Row]) -> ReportProgress:
    return ReportProgress(
        total=len(rows),
        filled=sum(1 for row in rows if row.entry and (row.entry.colour or row.entry.opted_out)),
        unconfirmed=sum(1 for row in rows if row.entry is not None and not row.entry.confirmed),
        missing=missing_for_submit(rows),
    )


def report_progress(session: Session, report_id: int) -> ReportProgress:
    """The progress of a report from the database, rows in catalogue order (one query)."""
    rows = [
        Row(rec, entry)
        for entry, rec in session.exec(
            select(StatusEntry, Recommendation)
            .join(Recommendation, col(Recommendation.id) == StatusEntry.recommendation_id)
            .where(StatusEntry.report_id == report_id)
            .order_by(col(Recommendation.position))
        )
    ]
    return progress_of(rows)


@dataclass
class ReportPage:
    municipality: Municipality
    kkr: Kkr
    round: ReportingRound
    tree: CatalogueTree
    report: StatusReport | None
    rows: dict[int, Row]  # by recommendation id
    may_edit: bool  # the rows and the submit button are live
    may_start: bool
    may_reopen: bool
    may_record_committee: bool

    @property
    def year(self) -> int:
        return self.round.year

    @property
    def submitted(self) -> bool:
        return self.report is not None and self.report.state == ReportState.SUBMITTED

    @property
    def progress(self) -> ReportProgress:
        return progress_of(list(self.rows.values()))


def missing_for_submit(rows: list[Row]) -> list[Missing]:
    """What submit requires: a colour on every skal row, a remark on every yellow or red row,
    and every row carried over from last year confirmed or changed."""
    missing = []
    for row in rows:
        rec, entry = row.recommendation, row.entry
        colour = row.colour
        if rec.kind == Kind.SKAL and colour is None:
            missing.append(Missing(rec.key, rec.text, "SKAL-anbefalingen mangler en farve."))
        if colour is not None and colour.needs_remark and not (entry and entry.remark):
            missing.append(Missing(rec.key, rec.text, f"{colour.label} kræver en bemærkning."))
        if entry is not None and not entry.confirmed:
            missing.append(Missing(rec.key, rec.text, "Overført fra sidste år: bekræft eller ret rækken."))
    return missing


def rows_locked(reporting_round: ReportingRound, report: StatusReport | None) -> NotAllowedNow | None:
    """Why nobody can change this report's rows now, or None when they can: the round must be
    open and the report started and not yet submitted. Access is ``access.require``'s business."""
    if reporting_round.state != RoundState.OPEN:
        return NotAllowedNow(f"Opfølgningsrunden for {reporting_round.year} er ikke åben for indberetning.")
    if report is not None and report.state != ReportState.IN_PROGRESS:
        return NotAllowedNow("Rapporten er indsendt og kan ikke ændres. En koordinator kan genåbne den.")
    return None


def user_name(session: Session, user_id: int | None) -> str | None:
    """The display name of the user who made a change, if any."""
    user = session.get(User, user_id) if user_id is not None else None
    return user.name if user else None


def scope_of(municipality: Municipality, report: StatusReport | None) -> ReportScope:
    return ReportScope(
        municipality_code=municipality.code,
        kkr_id=municipality.kkr_id,
        submitted=report is not None and report.state == ReportState.SUBMITTED,
    )


def find_municipality(session: Session, code: int) -> tuple[Municipality, Kkr]:
    found = session.exec(
        select(Municipality, Kkr).join(Kkr, col(Kkr.id) == Municipality.kkr_id).where(Municipality.code == code)
    ).first()
    if found is None:
        raise NotFound(f"Kommunekode {code} findes ikke.")
    return found[0], found[1]


def find_report(session: Session, round_id: int, municipality_code: int) -> StatusReport | None:
    return session.exec(
        select(StatusReport)
        .where(StatusReport.round_id == round_id)
        .where(StatusReport.municipality_code == municipality_code)
    ).first()


def load_report_page(session: Session, actor: Actor, municipality_code: int, year: int) -> ReportPage:
    """The status report of a municipality for a status year, as ``actor`` may see it."""
    municipality, kkr = find_municipality(session, municipality_code)
    reporting_round = round_for(session, municipality.kkr_id, year)
    report = find_report(session, reporting_round.id or 0, municipality.code)
    scope = scope_of(municipality, report)
    require(actor, Action.VIEW_REPORT, scope)

    catalogue = session.get(Catalogue, reporting_round.catalogue_id)
    assert catalogue is not None
    tree = build_tree(session, catalogue, kkr, year=year)
    rows = {rec.id or 0: Row(rec, None) for rec in tree.recommendations}
    if report is not None:
        for entry, name in session.exec(
            select(StatusEntry, User.name)
            .outerjoin(User, col(User.id) == StatusEntry.updated_by_id)
            .where(StatusEntry.report_id == report.id)
        ):
            row = rows.get(entry.recommendation_id)
            if row is not None:
                row.entry, row.updated_by = entry, name
    previous = previous_statuses(session, municipality, year, list(rows))
    for rec_id, row in rows.items():
        row.previous = previous.get(rec_id, [])

    may_edit_report = is_allowed(actor, Action.EDIT_REPORT, scope)
    unlocked = rows_locked(reporting_round, report) is None
    round_open = reporting_round.state == RoundState.OPEN
    return ReportPage(
        municipality=municipality,
        kkr=kkr,
        round=reporting_round,
        tree=tree,
        report=report,
        rows=rows,
        may_edit=may_edit_report and report is not None and unlocked,
        may_start=may_edit_report and report is None and unlocked,
        may_reopen=is_allowed(actor, Action.REOPEN_REPORT, scope) and round_open and scope.submitted,
        may_record_committee=may_edit_report and report is not None and reporting_round.state != RoundState.PUBLISHED,
    )


def previous_statuses(
    session: Session, municipality: Municipality, year: int, recommendation_ids: list[int]
) -> dict[int, list[PreviousStatus]]:
    """Last year's statuses for these recommendations, following revised ones to what they replaced.

    Two queries: the replacement links, then last year's entries of this municipality.
    """
    sources: dict[int, list[int]] = {rec_id: [rec_id] for rec_id in recommendation_ids}
    for replaced_id, replacement_id in session.exec(
        select(RecommendationReplacement.replaced_id, RecommendationReplacement.replacement_id).where(
            col(RecommendationReplacement.replacement_id).in_(recommendation_ids)
        )
    ):
        sources[replacement_id].append(replaced_id)
    wanted = {source for ids in sources.values() for source in ids}
    found = {
        entry.recommendation_id: PreviousStatus(
            key, Colour(entry.colour) if entry.colour else None, entry.remark, entry.opted_out
        )
        for entry, key in session.exec(
            select(StatusEntry, Recommendation.key)
            .join(StatusReport, col(StatusReport.id) == StatusEntry.report_id)
            .join(ReportingRound, col(ReportingRound.id) == StatusReport.round_id)
            .join(Recommendation, col(Recommendation.id) == StatusEntry.recommendation_id)
            .where(ReportingRound.kkr_id == municipality.kkr_id)
            .where(ReportingRound.year == year - 1)
            .where(StatusReport.municipality_code == municipality.code)
            .where(col(StatusEntry.recommendation_id).in_(wanted))
        )
    }
    return {rec_id: [found[source] for source in ids if source in found] for rec_id, ids in sources.items()}


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


def entry_history(session: Session, actor: Actor, entry_id: int) -> tuple[Recommendation, list[HistoryItem]]:
    """Every change to one row, newest first."""
    _entry, report, _round, municipality, recommendation = find_entry(session, entry_id)
    require(actor, Action.VIEW_REPORT, scope_of(municipality, report))
    changes = session.exec(
        select(StatusChange, User.name)
        .outerjoin(User, col(User.id) == StatusChange.changed_by_id)
        .where(StatusChange.entry_id == entry_id)
        .order_by(col(StatusChange.version).desc(), col(StatusChange.id))
    ).all()
    return recommendation, [
        HistoryItem(c.version, c.field, c.old_value, c.new_value, c.changed_at, name) for c, name in changes
    ]


@dataclass(frozen=True)
class RowContext:
    """One row with what its fragment needs: the year, and whether it can be edited now."""

    row: Row
    year: int
    editable: bool
    report_id: int


EntryWithContext = tuple[StatusEntry, StatusReport, ReportingRound, Municipality, Recommendation]


def find_entry(session: Session, entry_id: int) -> EntryWithContext:
    """A row with its report, round, municipality and recommendation, in one query."""
    found: EntryWithContext | None = session.exec(
        # SQLModel's select() is typed for at most four entities; the fifth is fine at run time.
        select(StatusEntry, StatusReport, ReportingRound, Municipality, Recommendation)  # type: ignore[call-overload]
        .join(StatusReport, col(StatusReport.id) == StatusEntry.report_id)
        .join(ReportingRound, col(ReportingRound.id) == StatusReport.round_id)
        .join(Municipality, col(Municipality.code) == StatusReport.municipality_code)
        .join(Recommendation, col(Recommendation.id) == StatusEntry.recommendation_id)
        .where(StatusEntry.id == entry_id)
    ).first()
    if found is None:
        raise NotFound("Rækken findes ikke.")
    return found


def load_row(session: Session, actor: Actor, entry_id: int) -> RowContext:
    entry, report, reporting_round, municipality, rec = find_entry(session, entry_id)
    scope = scope_of(municipality, report)
    require(actor, Action.VIEW_REPORT, scope)
    previous = previous_statuses(session, municipality, reporting_round.year, [rec.id or 0])
    editable = is_allowed(actor, Action.EDIT_REPORT, scope) and rows_locked(reporting_round, report) is None
    row = Row(rec, entry, previous.get(rec.id or 0, []), user_name(session, entry.updated_by_id))
    return RowContext(row, reporting_round.year, editable, report.id or 0)


def report_id_for(session: Session, municipality_code: int, year: int) -> int:
    """The id of a municipality's report for a year; NotFound if it is not started."""
    municipality, _kkr = find_municipality(session, municipality_code)
    reporting_round = round_for(session, municipality.kkr_id, year)
    report = find_report(session, reporting_round.id or 0, municipality_code)
    if report is None or report.id is None:
        raise NotFound("Statusrapporten findes ikke, eller du har ikke adgang til den.")
    return report.id
