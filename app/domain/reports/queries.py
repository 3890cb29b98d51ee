"""Looking up reports and their rows. ``get_*`` raises ``NotFound``; ``find_*`` returns None."""

from dataclasses import dataclass

from sqlalchemy import bindparam, func
from sqlmodel import Session, col, select

from app.domain.errors import NotFound
from app.domain.reports.rules import ReportProgress, RuleEntry, RuleRecommendation, progress_of
from app.domain.rounds import get_round
from app.domain.vocabulary import Colour
from app.models import (
    Kkr,
    Municipality,
    Recommendation,
    RecommendationReplacement,
    ReportingRound,
    StatusEntry,
    StatusReport,
    User,
)

REPORT_NOT_FOUND = "Statusrapporten findes ikke, eller du har ikke adgang til den."


@dataclass(frozen=True)
class EntryInContext:
    """A row with everything around it: its report, round, municipality and recommendation."""

    entry: StatusEntry
    report: StatusReport
    round: ReportingRound
    municipality: Municipality
    recommendation: Recommendation


@dataclass(frozen=True)
class ReportInContext:
    """A report with its round and municipality."""

    report: StatusReport
    round: ReportingRound
    municipality: Municipality


@dataclass(frozen=True)
class PreviousStatus:
    """Last year's status for a recommendation (or for the one it replaced)."""

    key: str
    colour: Colour | None
    remark: str
    opted_out: bool
    opt_out_reason: str = ""


def get_municipality(session: Session, code: int) -> tuple[Municipality, Kkr]:
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


@dataclass(frozen=True)
class ReportAddress:
    """Where a municipality's report for a year lives, whether or not it is started."""

    municipality: Municipality
    kkr: Kkr
    round: ReportingRound
    report: StatusReport | None


def get_report_address(session: Session, municipality_code: int, year: int) -> ReportAddress:
    """The municipality, its KKR's round for ``year`` and the report if it is started: how pages
    and the API address a report, by municipality code and status year."""
    municipality, kkr = get_municipality(session, municipality_code)
    reporting_round = get_round(session, municipality.kkr_id, year)
    assert reporting_round.id is not None
    return ReportAddress(
        municipality, kkr, reporting_round, find_report(session, reporting_round.id, municipality.code)
    )


def get_report_id(session: Session, municipality_code: int, year: int) -> int:
    """The id of a municipality's report for a year; NotFound if it is not started."""
    report = get_report_address(session, municipality_code, year).report
    if report is None or report.id is None:
        raise NotFound(REPORT_NOT_FOUND)
    return report.id


def get_report(session: Session, report_id: int) -> ReportInContext:
    found = session.exec(
        select(StatusReport, ReportingRound, Municipality)
        .join(ReportingRound, col(ReportingRound.id) == StatusReport.round_id)
        .join(Municipality, col(Municipality.code) == StatusReport.municipality_code)
        .where(StatusReport.id == report_id)
    ).first()
    if found is None:
        raise NotFound("Statusrapporten findes ikke.")
    return ReportInContext(*found)


# The statements of a save, built once: building a select() costs about as much CPU as running
# it on SQLite (issue 17's profile); the values come in as bound parameters.
_ENTRY_IN_CONTEXT = (
    # SQLModel's select() is typed for at most four entities; the fifth is fine at run time.
    select(StatusEntry, StatusReport, ReportingRound, Municipality, Recommendation)  # type: ignore[call-overload]
    .join(StatusReport, col(StatusReport.id) == StatusEntry.report_id)
    .join(ReportingRound, col(ReportingRound.id) == StatusReport.round_id)
    .join(Municipality, col(Municipality.code) == StatusReport.municipality_code)
    .join(Recommendation, col(Recommendation.id) == StatusEntry.recommendation_id)
    .where(StatusEntry.id == bindparam("entry_id"))
)


def get_entry(session: Session, entry_id: int) -> EntryInContext:
    """A row with its report, round, municipality and recommendation, in one query."""
    found = session.exec(_ENTRY_IN_CONTEXT, params={"entry_id": entry_id}).first()
    if found is None:
        raise NotFound("Rækken findes ikke.")
    return EntryInContext(*found)


_PROGRESS_COLUMNS = (
    select(  # type: ignore[call-overload]  # typed for at most four columns; fine at run time
        Recommendation.key,
        Recommendation.text,
        Recommendation.kind,
        StatusEntry.colour,
        StatusEntry.remark,
        StatusEntry.opted_out,
        StatusEntry.confirmed,
        StatusEntry.id,
        StatusEntry.version,
    )
    .join(StatusEntry, col(Recommendation.id) == StatusEntry.recommendation_id)
    .where(StatusEntry.report_id == bindparam("report_id"))
    .order_by(col(Recommendation.position))
)


def report_progress(session: Session, report_id: int) -> ReportProgress:
    """The progress of a report from the database, rows in catalogue order (one query, of the
    columns the rules read: building ORM objects for every row was most of a save's progress cost)."""
    rows = session.exec(_PROGRESS_COLUMNS, params={"report_id": report_id}).all()
    return progress_of(
        (RuleRecommendation(key, text, kind), RuleEntry(colour, remark, opted_out, confirmed, entry_id, version))
        for key, text, kind, colour, remark, opted_out, confirmed, entry_id, version in rows
    )


def user_name(session: Session, user_id: int | None) -> str | None:
    """The display name of the user who made a change, if any."""
    user = session.get(User, user_id) if user_id is not None else None
    return user.name if user else None


def latest_earlier_year(session: Session, municipality: Municipality, year: int) -> int | None:
    """The latest status year before ``year`` in which the municipality has a report, or None.

    "Start from last year" starts from this one: a municipality that missed a year still starts
    from what it last reported, and is told which year that was.
    """
    return session.exec(
        select(func.max(ReportingRound.year))
        .join(StatusReport, col(StatusReport.round_id) == ReportingRound.id)
        .where(ReportingRound.kkr_id == municipality.kkr_id)
        .where(StatusReport.municipality_code == municipality.code)
        .where(ReportingRound.year < year)
    ).one()


_LINK = RecommendationReplacement
_PREVIOUS_COLUMNS = (
    select(  # type: ignore[call-overload]  # typed for at most four columns; fine at run time
        StatusEntry.recommendation_id,
        Recommendation.key,
        StatusEntry.colour,
        StatusEntry.remark,
        StatusEntry.opted_out,
        StatusEntry.opt_out_reason,
        _LINK.replacement_id,
    )
    .join(StatusReport, col(StatusReport.id) == StatusEntry.report_id)
    .join(ReportingRound, col(ReportingRound.id) == StatusReport.round_id)
    .join(Recommendation, col(Recommendation.id) == StatusEntry.recommendation_id)
    .outerjoin(
        _LINK,
        (col(_LINK.replaced_id) == StatusEntry.recommendation_id)
        & col(_LINK.replacement_id).in_(bindparam("wanted", expanding=True)),
    )
    .where(ReportingRound.kkr_id == bindparam("kkr_id"))
    .where(ReportingRound.year == bindparam("year"))
    .where(StatusReport.municipality_code == bindparam("code"))
    .where(
        col(StatusEntry.recommendation_id).in_(bindparam("wanted", expanding=True))
        | col(_LINK.replacement_id).is_not(None)
    )
    .order_by(col(StatusEntry.recommendation_id))
)


def previous_statuses(
    session: Session, municipality: Municipality, from_year: int, recommendation_ids: list[int]
) -> dict[int, list[PreviousStatus]]:
    """The statuses of ``from_year`` (the year a report is compared with or carried over from) for
    these recommendations, following revised ones to what they replaced.

    One query of columns: that year's entries of this municipality for these recommendations or
    for any they replaced, each with the replacement it stands for (if any).
    """
    wanted = set(recommendation_ids)
    rows = session.exec(
        _PREVIOUS_COLUMNS,
        params={"kkr_id": municipality.kkr_id, "year": from_year, "code": municipality.code, "wanted": list(wanted)},
    ).all()
    own: dict[int, PreviousStatus] = {}
    replaced: dict[int, list[PreviousStatus]] = {rec_id: [] for rec_id in recommendation_ids}
    for rec_id, key, colour, remark, opted_out, opt_out_reason, replacement_id in rows:
        status = PreviousStatus(key, colour, remark, opted_out, opt_out_reason)
        if rec_id in wanted:
            own[rec_id] = status
        if replacement_id is not None:
            replaced[replacement_id].append(status)
    return {rec_id: ([own[rec_id]] if rec_id in own else []) + replaced[rec_id] for rec_id in recommendation_ids}
