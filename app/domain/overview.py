"""What a user sees first: the rounds and reports within their reach."""

from dataclasses import dataclass

from sqlmodel import Session, col, select

from app.domain.access import Action, Actor, is_allowed
from app.domain.reports.rules import scope_of, state_of
from app.domain.text import danish_sort_key
from app.domain.vocabulary import ReportState, Role, RoundState
from app.models import Kkr, Municipality, ReportingRound, StatusReport


@dataclass(frozen=True)
class ReportLink:
    municipality: Municipality
    year: int
    report: StatusReport | None

    @property
    def state(self) -> ReportState:
        return state_of(self.report)


@dataclass(frozen=True)
class RoundOverview:
    kkr: Kkr
    round: ReportingRound
    reports: list[ReportLink]


def overview_for(session: Session, actor: Actor) -> list[RoundOverview]:
    """The rounds of the KKRs the actor works with, newest first, with the reports they may open."""
    kkr_query = select(Kkr).order_by(Kkr.name)
    if actor.role is Role.COORDINATOR:
        kkr_query = kkr_query.where(Kkr.id == actor.kkr_id)
    elif actor.role is Role.EDITOR:
        kkr_query = kkr_query.join(Municipality, col(Municipality.kkr_id) == Kkr.id).where(
            Municipality.code == actor.municipality_code
        )
    overviews = []
    for kkr in session.exec(kkr_query):
        municipalities = session.exec(select(Municipality).where(Municipality.kkr_id == kkr.id)).all()
        rounds = session.exec(
            select(ReportingRound).where(ReportingRound.kkr_id == kkr.id).order_by(col(ReportingRound.year).desc())
        ).all()
        for reporting_round in rounds:
            reports = {
                r.municipality_code: r
                for r in session.exec(select(StatusReport).where(StatusReport.round_id == reporting_round.id))
            }
            links = [
                ReportLink(m, reporting_round.year, reports.get(m.code))
                for m in sorted(municipalities, key=lambda m: danish_sort_key(m.name))
                if is_allowed(actor, Action.VIEW_REPORT, scope_of(m, reports.get(m.code), reporting_round))
            ]
            if reporting_round.state is RoundState.PLANNED and not links:
                continue  # a planned round is invisible to municipalities
            overviews.append(RoundOverview(kkr, reporting_round, links))
    return overviews
