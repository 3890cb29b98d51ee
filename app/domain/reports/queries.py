"""Looking up reports and their rows. ``get_*`` raises ``NotFound``; ``find_*`` returns None."""

from dataclasses import dataclass

from sqlmodel import Session, col, select

from app.domain.errors import NotFound
from app.domain.reports.rules import ReportProgress, progress_of
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


def get_entry(session: Session, entry_id: int) -> EntryInContext:
    """A row with its report, round, municipality and recommendation, in one query."""
    found = session.exec(
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
    return EntryInContext(*found)


def report_progress(session: Session, report_id: int) -> ReportProgress:
    """The progress of a report from the database, rows in catalogue order (one query)."""
    rows = session.exec(
        select(Recommendation, StatusEntry)
        .join(StatusEntry, col(Recommendation.id) == StatusEntry.recommendation_id)
        .where(StatusEntry.report_id == report_id)
        .order_by(col(Recommendation.position))
    ).all()
    return progress_of(rows)


def user_name(session: Session, user_id: int | None) -> str | None:
    """The display name of the user who made a change, if any."""
    user = session.get(User, user_id) if user_id is not None else None
    return user.name if user else None


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
        entry.recommendation_id: PreviousStatus(key, entry.colour, entry.remark, entry.opted_out, entry.opt_out_reason)
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
