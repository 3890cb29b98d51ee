"""Year over year: how each cell moved since the previous round, across catalogue editions.

A recommendation is compared with what it was in the previous round by following the
replacement links between editions (``recommendation_replacement``):
- the same recommendation, or one revised one-to-one: compared with the old one;
- a split (several new rows replace one old one): each new row is compared with the old one;
- a merge (one new row replaces several): compared with the worst of the old ones (rød < gul <
  grøn, ``Colour.rank``), and the comparison says so;
- a recommendation with nothing before it in the previous round is new: "• ny".
Only colours have a direction: when this year's cell or every old one is fravalgt, not reported
or not confirmed, there is no marker.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from app.domain.rollup.data import CellKey, KkrHistory, RoundData, RoundInfo
from app.domain.vocabulary import Change, Standing

# Replacement links: a replacement's id -> the ids it replaces.
Replaced = Mapping[int, tuple[int, ...]]
_MAX_EDITIONS = 50  # a guard against a loop in the links; real chains are a few editions long


@dataclass(frozen=True)
class Comparison:
    """One cell against the previous round."""

    change: Change | None  # None: no direction (fravalgt, not reported or not confirmed on a side)
    previous: Standing | None  # what it was compared with (the worst of several for a merge)
    previous_year: int
    sources: tuple[str, ...]  # the keys it was compared with; empty for a new recommendation

    @property
    def merged(self) -> bool:
        """Compared with the worst of several recommendations that this one replaces."""
        return len(self.sources) > 1

    @property
    def note(self) -> str:
        """How the comparison was made, for a title or a footnote, in Danish."""
        if self.change is Change.NEW:
            return f"Ny anbefaling: fandtes ikke i {self.previous_year}."
        was = self.previous.label.lower() if self.previous else "uden farve"
        if self.change is None:
            return f"Ingen retning: {self.previous_year} var {was}, eller i år har ingen farve."
        if self.merged:
            keys = ", ".join(self.sources[:-1]) + " og " + self.sources[-1]
            return f"Sammenlignet med den dårligste af {keys} i {self.previous_year} ({was})."
        if self.change is Change.SAME:
            return f"Uændret siden {self.previous_year} ({was})."
        return f"{self.change.label.capitalize()} end {self.previous_year} ({was})."


def sources_in(rec_id: int, previous_ids: frozenset[int], replaced: Replaced) -> tuple[int, ...]:
    """The recommendations of the previous round that ``rec_id`` descends from: itself if it
    applied then, else what it replaces, followed back edition by edition."""
    found: list[int] = []
    frontier, depth = [rec_id], 0
    while frontier and depth < _MAX_EDITIONS:
        next_frontier: list[int] = []
        for current in frontier:
            if current in previous_ids:
                found.append(current)
            else:
                next_frontier.extend(replaced.get(current, ()))
        frontier, depth = next_frontier, depth + 1
    return tuple(dict.fromkeys(found))


def worst(standings: list[Standing]) -> Standing | None:
    """The worst colour among these standings (rød < gul < grøn), or None if none is a colour."""
    colours = [standing.colour for standing in standings if standing.colour is not None]
    return Standing.of_colour(min(colours, key=lambda colour: colour.rank)) if colours else None


def compare(current: Standing, previous: list[Standing], previous_year: int, sources: tuple[str, ...]) -> Comparison:
    """The rule above for one cell: ``previous`` holds the standings of ``sources`` last round."""
    if not sources:
        return Comparison(Change.NEW, None, previous_year, ())
    before = worst(previous)
    if current.colour is None or before is None or before.colour is None:
        shown = before if before is not None else (previous[0] if len(previous) == 1 else None)
        return Comparison(None, shown, previous_year, sources)
    now_rank, then_rank = current.colour.rank, before.colour.rank
    change = Change.BETTER if now_rank > then_rank else Change.WORSE if now_rank < then_rank else Change.SAME
    return Comparison(change, before, previous_year, sources)


def compare_rounds(current: RoundData, previous: RoundData, replaced: Replaced) -> dict[CellKey, Comparison]:
    """Every cell of ``current`` against ``previous``, by the rule above."""
    previous_ids = previous.recommendation_ids
    keys = {rec.id: rec.key for rec in previous.recommendations}
    year = previous.round.year
    comparisons: dict[CellKey, Comparison] = {}
    for rec in current.recommendations:
        sources = sources_in(rec.id, previous_ids, replaced)
        source_keys = tuple(keys[source] for source in sources)
        for municipality in current.municipalities:
            code = municipality.code
            comparisons[(code, rec.id)] = compare(
                current.standing(code, rec.id),
                [previous.standing(code, source) for source in sources],
                year,
                source_keys,
            )
    return comparisons


def year_over_year(history: KkrHistory) -> dict[CellKey, Comparison] | None:
    """The current round of ``history`` against the KKR's round before it (last year's, or the
    latest earlier one if a year was skipped: ``Comparison.previous_year`` says which), or None
    when it is the KKR's first round and there is nothing to compare with."""
    if history.previous is None:
        return None
    return compare_rounds(history.current, history.previous, history.replaced)


def no_previous_round_message(current: RoundInfo) -> str:
    """What a page says for the KKR's first round, where year over year has nothing to compare."""
    return f"{current.kkr_name} har ingen runde før {current.year}, så der er ingen udvikling at vise."
