"""One municipality's years side by side: a row per recommendation, a column per round.

The rows are the recommendations of the latest round, followed back through the replacement
links (a split row shows the old row's colour, a merged row the worst of the old ones), then the
retired recommendations that no later row replaces. Each cell carries its marker against the
column before it, by the same rule as the matrix (``change.compare``).
"""

from dataclasses import dataclass

from app.domain.errors import NotFound
from app.domain.rollup.change import Comparison, compare, sources_in, worst
from app.domain.rollup.data import KkrHistory, MunicipalityInfo, RecommendationInfo, RoundData
from app.domain.rollup.figures import Tally, tally
from app.domain.vocabulary import Standing


@dataclass(frozen=True)
class TrendCell:
    year: int
    standing: Standing | None  # None: the recommendation (or any it descends from) did not apply
    sources: tuple[str, ...]  # the keys read that year; several for a merged row
    comparison: Comparison | None  # against the column before; None in the first column

    @property
    def merged(self) -> bool:
        return len(self.sources) > 1


@dataclass(frozen=True)
class TrendRow:
    recommendation: RecommendationInfo
    retired: bool  # not in the latest round, and replaced by nothing in it
    cells: tuple[TrendCell, ...]


@dataclass(frozen=True)
class YearSummary:
    year: int
    submitted: bool
    tally: Tally  # the municipality across that round's own recommendations


@dataclass(frozen=True)
class MunicipalityTrend:
    municipality: MunicipalityInfo
    kkr_id: int
    kkr_name: str
    years: tuple[YearSummary, ...]  # oldest first
    rows: tuple[TrendRow, ...]


def _cell(history: KkrHistory, data: RoundData, code: int, rec_id: int) -> tuple[Standing | None, tuple[str, ...]]:
    ids = sources_in(rec_id, data.recommendation_ids, history.replaced)
    if not ids:
        return None, ()
    keys = {rec.id: rec.key for rec in data.recommendations}
    standings = [data.standing(code, source) for source in ids]
    shown = standings[0] if len(ids) == 1 else (worst(standings) or Standing.NOT_REPORTED)
    return shown, tuple(keys[source] for source in ids)


def _row(history: KkrHistory, code: int, rec: RecommendationInfo, *, retired: bool) -> TrendRow:
    cells: list[TrendCell] = []
    for data in history.rounds:
        standing, sources = _cell(history, data, code, rec.id)
        comparison = None
        if cells and standing is not None:
            before = cells[-1]
            previous = [before.standing] if before.standing is not None else []
            comparison = compare(standing, previous, before.year, before.sources)
        cells.append(TrendCell(data.round.year, standing, sources, comparison))
    return TrendRow(rec, retired, tuple(cells))


def municipality_trend(history: KkrHistory, code: int) -> MunicipalityTrend:
    """The trend of municipality ``code`` over every round in ``history``."""
    municipality = next((m for m in history.current.municipalities if m.code == code), None)
    if municipality is None:
        raise NotFound(f"Kommunekode {code} hører ikke til {history.current.round.kkr_name}.")
    latest = history.current.recommendations
    rows = [_row(history, code, rec, retired=False) for rec in latest]
    covered = {key for row in rows for cell in row.cells for key in cell.sources}
    seen = {rec.key for rec in latest}
    for data in reversed(history.rounds[:-1]):
        for rec in data.recommendations:
            if rec.key not in covered and rec.key not in seen:
                seen.add(rec.key)
                rows.append(_row(history, code, rec, retired=True))
    return MunicipalityTrend(
        municipality=municipality,
        kkr_id=history.current.round.kkr_id,
        kkr_name=history.current.round.kkr_name,
        years=tuple(
            YearSummary(
                data.round.year,
                code in data.submitted,
                tally((rec.kind, data.standing(code, rec.id)) for rec in data.recommendations),
            )
            for data in history.rounds
        ),
        rows=tuple(rows),
    )
