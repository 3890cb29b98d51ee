"""Every KKR's round for a status year side by side: the national picture (all 98 municipalities).

Each KKR has its own catalogue, so recommendations are never added up across KKRs; what adds up
is the cells: the national overall figures, participation, and each municipality's own figures.
"""

from dataclasses import dataclass

from sqlmodel import Session, col, select

from app.domain.access import Actor, may_read_rollup
from app.domain.errors import NotFound
from app.domain.rollup.data import load_round
from app.domain.rollup.figures import Tally
from app.domain.rollup.round_figures import MunicipalityFigures, Participation, RoundFigures, round_figures
from app.domain.text import danish_sort_key
from app.models import Kkr, ReportingRound


@dataclass(frozen=True)
class NationalFigures:
    year: int
    rounds: tuple[RoundFigures, ...]  # one per KKR with a round that year, by KKR name
    participation: Participation
    overall: Tally
    by_municipality: tuple[MunicipalityFigures, ...]  # every municipality of those KKRs, Danish order


def national_figures(session: Session, actor: Actor, year: int) -> NationalFigures:
    """The figures of every round for ``year`` that the actor may read (a coordinator: their own
    KKR only). NotFound, in Danish, when there is none."""
    kkr_ids = [
        kkr_id
        for kkr_id, _name in session.exec(
            select(ReportingRound.kkr_id, Kkr.name)
            .join(Kkr, col(Kkr.id) == ReportingRound.kkr_id)
            .where(ReportingRound.year == year)
            .order_by(Kkr.name)
        )
        if may_read_rollup(actor, kkr_id)
    ]
    if not kkr_ids:
        raise NotFound(f"Der er ingen opfølgningsrunder for {year}.")
    rounds = tuple(round_figures(load_round(session, kkr_id, year)) for kkr_id in kkr_ids)
    return NationalFigures(
        year=year,
        rounds=rounds,
        participation=Participation(
            sum(r.participation.municipalities for r in rounds), sum(r.participation.submitted for r in rounds)
        ),
        overall=sum((r.overall for r in rounds), Tally()),
        by_municipality=tuple(
            sorted(
                (m for r in rounds for m in r.by_municipality),
                key=lambda m: danish_sort_key(m.municipality.name),
            )
        ),
    )
