"""Where to act: SKAL rows that stay red, and who and what moved most since the previous round."""

from collections.abc import Iterable
from dataclasses import dataclass

from app.domain.rollup.change import Comparison, compare_rounds, no_previous_round_message, sources_in, worst
from app.domain.rollup.data import CellKey, KkrHistory, MunicipalityInfo, RecommendationInfo, RoundInfo
from app.domain.text import danish_sort_key
from app.domain.vocabulary import Change, Kind, Standing

ESCALATION_ROUNDS = 2  # red this many rounds in a row, or more
TOP = 5


@dataclass(frozen=True)
class Escalation:
    """A SKAL recommendation that has been red in a municipality for several rounds in a row."""

    municipality: MunicipalityInfo
    recommendation: RecommendationInfo
    years: tuple[int, ...]  # the rounds it was red, oldest first, ending with the current one
    sources: tuple[str, ...]  # earlier keys followed through a new edition, if any

    @property
    def rounds(self) -> int:
        return len(self.years)


@dataclass(frozen=True)
class Movement:
    """How one municipality's (or one recommendation's) cells moved since the previous round."""

    better: int
    worse: int
    same: int
    new: int
    no_direction: int  # fravalgt, not reported or not confirmed on a side

    @property
    def net(self) -> int:
        """Improved cells minus cells that got worse: what "most improved" ranks by."""
        return self.better - self.worse


@dataclass(frozen=True)
class MunicipalityMovement:
    municipality: MunicipalityInfo
    movement: Movement


@dataclass(frozen=True)
class RecommendationMovement:
    recommendation: RecommendationInfo
    movement: Movement


@dataclass(frozen=True)
class WhereToAct:
    """The coordinator's list for the round: what to escalate, and who and what improved most."""

    round: RoundInfo
    previous_year: int | None  # None: the KKR's first round, nothing to compare with
    escalations: tuple[Escalation, ...]  # longest streak first, then municipality, then catalogue order
    most_improved_municipalities: tuple[MunicipalityMovement, ...]  # net > 0, best first, at most TOP
    most_improved_recommendations: tuple[RecommendationMovement, ...]  # net > 0, best first, at most TOP

    @property
    def no_previous_round(self) -> str | None:
        """Why there is no "most improved" (the KKR's first round), or None."""
        return None if self.previous_year else no_previous_round_message(self.round)


def escalations(history: KkrHistory, *, min_rounds: int = ESCALATION_ROUNDS) -> list[Escalation]:
    """SKAL recommendations red in a municipality in the current round and in the rounds right
    before it, ``min_rounds`` or more in a row. Earlier rounds are read through the replacement
    links (a merged row counts as red when the worst of the old ones was red); a round in which
    the municipality did not report the row, or gave it no colour, ends the streak."""
    current = history.current
    found = []
    for rec in current.recommendations:
        if rec.kind != Kind.SKAL:
            continue
        for municipality in current.municipalities:
            if current.standing(municipality.code, rec.id) is not Standing.RED:
                continue
            years = [current.round.year]
            sources: tuple[str, ...] = ()
            for earlier in reversed(history.rounds[:-1]):
                ids = sources_in(rec.id, earlier.recommendation_ids, history.replaced)
                if worst([earlier.standing(municipality.code, source) for source in ids]) is not Standing.RED:
                    break
                years.append(earlier.round.year)
                if ids != (rec.id,):
                    keys = {r.id: r.key for r in earlier.recommendations}
                    sources = tuple(dict.fromkeys(sources + tuple(keys[i] for i in ids)))
            if len(years) >= min_rounds:
                found.append(Escalation(municipality, rec, tuple(reversed(years)), sources))
    return sorted(found, key=lambda e: (-e.rounds, danish_sort_key(e.municipality.name), e.recommendation.position))


def movement(comparisons: Iterable[Comparison]) -> Movement:
    """Count the markers: ▲ better, ▼ worse, = same, • ny, and the cells with no direction."""
    changes = [comparison.change for comparison in comparisons]
    return Movement(
        better=changes.count(Change.BETTER),
        worse=changes.count(Change.WORSE),
        same=changes.count(Change.SAME),
        new=changes.count(Change.NEW),
        no_direction=changes.count(None),
    )


def where_to_act(history: KkrHistory, *, top: int = TOP) -> WhereToAct:
    """The escalation list and, against the previous round, the most improved municipalities and
    recommendations: ranked by ``Movement.net`` (▲ minus ▼), then by ▲, then by name or
    catalogue order; only those that improved on balance (net above 0) are listed."""
    current, previous = history.current, history.previous
    if previous is None:
        return WhereToAct(current.round, None, tuple(escalations(history)), (), ())
    comparisons: dict[CellKey, Comparison] = compare_rounds(current, previous, history.replaced)
    municipalities = [
        MunicipalityMovement(m, movement(comparisons[(m.code, rec.id)] for rec in current.recommendations))
        for m in current.municipalities
    ]
    recommendations = [
        RecommendationMovement(rec, movement(comparisons[(m.code, rec.id)] for m in current.municipalities))
        for rec in current.recommendations
    ]
    best_municipalities = sorted(
        (m for m in municipalities if m.movement.net > 0),
        key=lambda m: (-m.movement.net, -m.movement.better, danish_sort_key(m.municipality.name)),
    )
    best_recommendations = sorted(
        (r for r in recommendations if r.movement.net > 0),
        key=lambda r: (-r.movement.net, -r.movement.better, r.recommendation.position),
    )
    return WhereToAct(
        round=current.round,
        previous_year=previous.round.year,
        escalations=tuple(escalations(history)),
        most_improved_municipalities=tuple(best_municipalities[:top]),
        most_improved_recommendations=tuple(best_recommendations[:top]),
    )
