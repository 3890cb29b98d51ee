"""A status report as the job centre's page shows it: rows in catalogue order, each with last
year's status beside it, and which actions the user can take now."""

from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from app.domain.access import Action, Actor, ReportScope, is_allowed, require
from app.domain.catalogue_queries import CatalogueTree, build_tree
from app.domain.reports.queries import (
    EntryInContext,
    PreviousStatus,
    ReportAddress,
    get_entry,
    get_report,
    get_report_address,
    latest_earlier_year,
    previous_statuses,
    user_name,
)
from app.domain.reports.rules import (
    ReportProgress,
    approve_refused,
    committee_refused,
    progress_of,
    reopen_refused,
    rows_locked,
    scope_of,
    send_back_refused,
    start_refused,
    state_of,
)
from app.domain.rounds.timeline import TimelineItem, latest_comment, report_timeline
from app.domain.statuses import may_opt_out
from app.domain.vocabulary import Colour, ReportState, RoundState
from app.models import (
    Catalogue,
    Kkr,
    Municipality,
    Recommendation,
    ReportingRound,
    StatusEntry,
    StatusReport,
    User,
)


@dataclass
class Row:
    recommendation: Recommendation
    entry: StatusEntry | None
    previous: list[PreviousStatus] = field(default_factory=list)
    updated_by: str | None = None

    @property
    def colour(self) -> Colour | None:
        return self.entry.colour if self.entry else None

    @property
    def may_opt_out(self) -> bool:
        return may_opt_out(self.recommendation.kind)


@dataclass(frozen=True)
class Review:
    """The review side of a report, shown to both sides: its timeline, the coordinator's comment
    while it is sent back, and the review actions open to the reader."""

    timeline: list[TimelineItem] = field(default_factory=list)
    sent_back: TimelineItem | None = None
    may_approve: bool = False
    may_send_back: bool = False


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
    # The year beside each row ("sidste år"): the one the rows were carried over from, else the
    # year before. Before the start: the latest earlier report's year, or None when there is none.
    compare_year: int | None
    review: Review = field(default_factory=Review)  # review and timeline (app.domain.rounds)

    @property
    def earlier_year(self) -> int | None:
        """Before the start, the year "start from last year" would carry over from."""
        return self.compare_year if self.report is None else self.report.carried_from_year

    @property
    def committee_open_after_submit(self) -> bool:
        """Submitted, yet the committee's handling can still be recorded (councils meet later)."""
        return self.submitted and self.may_record_committee

    @property
    def round_open(self) -> bool:
        return self.round.state == RoundState.OPEN

    @property
    def year(self) -> int:
        return self.round.year

    @property
    def state(self) -> ReportState:
        return state_of(self.report)

    @property
    def submitted(self) -> bool:
        return self.state.is_submitted

    @property
    def progress(self) -> ReportProgress:
        return progress_of((row.recommendation, row.entry) for row in self.rows.values())


def load_report_page(session: Session, actor: Actor, municipality_code: int, year: int) -> ReportPage:
    """The status report of a municipality for a status year, as ``actor`` may see it."""
    address = get_report_address(session, municipality_code, year)
    municipality, reporting_round, report = address.municipality, address.round, address.report
    scope = scope_of(municipality, report, reporting_round)
    require(actor, Action.VIEW_REPORT, scope)

    catalogue = session.get(Catalogue, reporting_round.catalogue_id)
    assert catalogue is not None
    tree = build_tree(session, catalogue, address.kkr, year=year)
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
    if report is not None:
        compare_year: int | None = report.carried_from_year or year - 1
    else:
        compare_year = latest_earlier_year(session, municipality, year)
    previous = previous_statuses(session, municipality, compare_year, list(rows)) if compare_year else {}
    for rec_id, row in rows.items():
        row.previous = previous.get(rec_id, [])

    may_edit_report = is_allowed(actor, Action.EDIT_REPORT, scope)
    return ReportPage(
        municipality=municipality,
        kkr=address.kkr,
        round=reporting_round,
        tree=tree,
        report=report,
        rows=rows,
        may_edit=may_edit_report and report is not None and rows_locked(reporting_round, report) is None,
        may_start=may_edit_report and start_refused(reporting_round, report) is None,
        may_reopen=is_allowed(actor, Action.REOPEN_REPORT, scope) and reopen_refused(reporting_round, report) is None,
        may_record_committee=may_edit_report and committee_refused(reporting_round, report) is None,
        compare_year=compare_year,
        review=_review_of(session, actor, scope, address),
    )


def load_report_page_of(session: Session, actor: Actor, report_id: int) -> ReportPage:
    """The same page, found by the report's id (after a submit from the "check your answers" step)."""
    found = get_report(session, report_id)
    return load_report_page(session, actor, found.municipality.code, found.round.year)


def _review_of(session: Session, actor: Actor, scope: ReportScope, address: ReportAddress) -> Review:
    """The page's timeline, the sent-back comment and the coordinator's review actions."""
    report, reporting_round = address.report, address.round
    assert reporting_round.id is not None
    timeline = report_timeline(
        session,
        report_id=report.id if report else None,
        round_id=reporting_round.id,
        municipality_code=address.municipality.code,
    )
    may_review = is_allowed(actor, Action.REVIEW_REPORT, scope)
    return Review(
        timeline=timeline,
        sent_back=latest_comment(timeline) if state_of(report) is ReportState.SENT_BACK else None,
        may_approve=may_review and approve_refused(reporting_round, report) is None,
        may_send_back=may_review and send_back_refused(reporting_round, report) is None,
    )


@dataclass(frozen=True)
class RowContext:
    """One row with what its fragment needs: the year, and whether it can be edited now."""

    row: Row
    year: int
    editable: bool
    report_id: int
    compare_year: int
    municipality_code: int


def row_context(session: Session, actor: Actor, found: EntryInContext, *, updated_by: str | None) -> RowContext:
    """The row's fragment context from a row in hand (after a save, or freshly looked up)."""
    rec = found.recommendation
    scope = scope_of(found.municipality, found.report, found.round)
    editable = is_allowed(actor, Action.EDIT_REPORT, scope) and rows_locked(found.round, found.report) is None
    compare_year = found.report.carried_from_year or found.round.year - 1
    previous = previous_statuses(session, found.municipality, compare_year, [rec.id or 0])
    row = Row(rec, found.entry, previous.get(rec.id or 0, []), updated_by)
    return RowContext(row, found.round.year, editable, found.report.id or 0, compare_year, found.municipality.code)


def load_row(session: Session, actor: Actor, entry_id: int) -> RowContext:
    found = get_entry(session, entry_id)
    require(actor, Action.VIEW_REPORT, scope_of(found.municipality, found.report, found.round))
    return row_context(session, actor, found, updated_by=user_name(session, found.entry.updated_by_id))
