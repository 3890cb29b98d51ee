"""A round's figures per recommendation, per focus area, per kind, per municipality and overall."""

from dataclasses import dataclass

from app.domain.errors import NotFound
from app.domain.rollup.data import FocusAreaInfo, MunicipalityInfo, RecommendationInfo, RoundData, RoundInfo
from app.domain.rollup.figures import Tally, tally
from app.domain.vocabulary import Kind


@dataclass(frozen=True)
class Participation:
    """How many of the KKR's municipalities submitted their report for the round."""

    municipalities: int
    submitted: int

    @property
    def share(self) -> float | None:
        return self.submitted / self.municipalities if self.municipalities else None


@dataclass(frozen=True)
class RecommendationFigures:
    """One recommendation across the KKR: its distribution (what the council's report shows
    beside each row) and its share started."""

    recommendation: RecommendationInfo
    tally: Tally


@dataclass(frozen=True)
class FocusAreaFigures:
    focus_area: FocusAreaInfo
    tally: Tally


@dataclass(frozen=True)
class KindFigures:
    kind: Kind
    tally: Tally


@dataclass(frozen=True)
class MunicipalityFigures:
    """One municipality across the recommendations of the round."""

    municipality: MunicipalityInfo
    submitted: bool
    tally: Tally


@dataclass(frozen=True)
class RoundFigures:
    """The rollup of one round (samlet afrapportering, in figures)."""

    round: RoundInfo
    participation: Participation
    overall: Tally
    by_recommendation: tuple[RecommendationFigures, ...]  # catalogue order
    by_focus_area: tuple[FocusAreaFigures, ...]  # catalogue order
    by_kind: tuple[KindFigures, ...]  # SKAL, then the other kinds that occur
    by_municipality: tuple[MunicipalityFigures, ...]  # Danish alphabetical order

    def recommendation(self, key: str) -> RecommendationFigures:
        for figures in self.by_recommendation:
            if figures.recommendation.key == key:
                return figures
        raise NotFound(f"Anbefalingen {key!r} indgår ikke i runden for {self.round.year}.")

    def municipality(self, code: int) -> MunicipalityFigures:
        for figures in self.by_municipality:
            if figures.municipality.code == code:
                return figures
        raise NotFound(f"Kommunekode {code} indgår ikke i {self.round.kkr_name}s runde.")


def round_figures(data: RoundData) -> RoundFigures:
    """Count every cell of the round once per grouping. The cells are every municipality of the
    KKR × every recommendation that applies that year; see ``figures`` for each count's rule."""
    recs = data.recommendations
    codes = [m.code for m in data.municipalities]
    by_rec = {rec.id: tally((rec.kind, data.standing(code, rec.id)) for code in codes) for rec in recs}
    by_code = {code: tally((rec.kind, data.standing(code, rec.id)) for rec in recs) for code in codes}
    areas = data.focus_areas
    kinds = [kind for kind in Kind if any(rec.kind == kind for rec in recs)]
    return RoundFigures(
        round=data.round,
        participation=Participation(len(codes), sum(1 for code in codes if code in data.submitted)),
        overall=sum(by_rec.values(), Tally()),
        by_recommendation=tuple(RecommendationFigures(rec, by_rec[rec.id]) for rec in recs),
        by_focus_area=tuple(
            FocusAreaFigures(area, sum((by_rec[rec.id] for rec in recs if rec.focus_area.id == area.id), Tally()))
            for area in areas
        ),
        by_kind=tuple(
            KindFigures(kind, sum((by_rec[rec.id] for rec in recs if rec.kind == kind), Tally())) for kind in kinds
        ),
        by_municipality=tuple(
            MunicipalityFigures(m, m.code in data.submitted, by_code[m.code]) for m in data.municipalities
        ),
    )
