"""The matrix (the heatmap): municipalities × recommendations for a round, every cell with its
standing and its year-over-year marker, filtered by focus area and kind, sorted as asked."""

from dataclasses import dataclass

from app.domain.errors import InvalidInput
from app.domain.rollup.change import Comparison, compare_rounds, no_previous_round_message
from app.domain.rollup.data import FocusAreaInfo, KkrHistory, MunicipalityInfo, RecommendationInfo, RoundInfo
from app.domain.rollup.figures import Tally, tally
from app.domain.text import danish_sort_key
from app.domain.vocabulary import Kind, Standing

SORT_BY_NAME = "navn"
SORT_BY_CODE = "kode"
# Sorting by a recommendation's colour puts the cells that need attention first.
_SORT_ORDER = {
    Standing.RED: 0,
    Standing.YELLOW: 1,
    Standing.GREEN: 2,
    Standing.UNCONFIRMED: 3,
    Standing.OPTED_OUT: 4,
    Standing.NOT_REPORTED: 5,
}


@dataclass(frozen=True)
class MatrixFilter:
    """What the matrix shows: one focus area or all, one kind or all, and the row order
    (``navn``, ``kode``, or a recommendation's key: its colours, rød first)."""

    focus_area: str | None = None
    kind: Kind | None = None
    sort: str = SORT_BY_NAME


@dataclass(frozen=True)
class MatrixCell:
    recommendation: RecommendationInfo
    standing: Standing
    comparison: Comparison | None  # None when there is no previous round


@dataclass(frozen=True)
class MatrixRow:
    municipality: MunicipalityInfo
    submitted: bool
    cells: tuple[MatrixCell, ...]
    tally: Tally  # this municipality across the columns shown


@dataclass(frozen=True)
class MatrixColumn:
    recommendation: RecommendationInfo
    tally: Tally  # the distribution of the column: "I alt", "N ="


@dataclass(frozen=True)
class Matrix:
    round: RoundInfo
    previous_year: int | None  # None: the KKR's first round, so no markers
    filter: MatrixFilter
    focus_areas: tuple[FocusAreaInfo, ...]  # every focus area of the round, for the filter
    kinds: tuple[Kind, ...]  # every kind of the round, for the filter
    columns: tuple[MatrixColumn, ...]
    rows: tuple[MatrixRow, ...]
    total: Tally  # every cell shown
    years: tuple[int, ...] = ()  # the KKR's rounds, for moving between years

    @property
    def no_previous_round(self) -> str | None:
        """Why there are no markers (the KKR's first round), or None when there are."""
        return None if self.previous_year else no_previous_round_message(self.round)

    @property
    def submitted(self) -> int:
        return sum(1 for row in self.rows if row.submitted)


def parse_filter(history: KkrHistory, *, focus_area: str | None, kind: str | None, sort: str | None) -> MatrixFilter:
    """The filter from what a user sent; InvalidInput, in Danish and naming the field, for a
    value that is not a focus area, a kind or a sort order of this round."""
    current = history.current
    areas = {area.key: area for area in current.focus_areas}
    if focus_area and focus_area not in areas:
        titles = ", ".join(area.title for area in areas.values())
        raise InvalidInput(
            f"{focus_area!r} er ikke et fokusområde i kataloget for {current.round.year}. Vælg et af: {titles}.",
            field="fokusomraade",
        )
    parsed_kind = None
    if kind:
        kinds = {k.value: k for k in Kind if any(rec.kind == k for rec in current.recommendations)}
        parsed_kind = kinds.get(kind.lower())
        if parsed_kind is None:
            labels = " eller ".join(k.label for k in kinds.values())
            raise InvalidInput(
                f"{kind!r} er ikke en type anbefaling i kataloget for {current.round.year}: vælg {labels}.",
                field="type",
            )
    keys = {rec.key for rec in current.recommendations}
    if sort and sort not in (SORT_BY_NAME, SORT_BY_CODE) and sort not in keys:
        raise InvalidInput(
            f"Kan ikke sortere efter {sort!r}: vælg navn, kode eller en anbefaling i runden.", field="sorter"
        )
    return MatrixFilter(focus_area or None, parsed_kind, sort or SORT_BY_NAME)


def build_matrix(
    history: KkrHistory, matrix_filter: MatrixFilter | None = None, *, years: tuple[int, ...] = ()
) -> Matrix:
    """The current round of ``history`` as a matrix, with markers against the round before it."""
    matrix_filter = matrix_filter or MatrixFilter()
    current, previous = history.current, history.previous
    comparisons = compare_rounds(current, previous, history.replaced) if previous else {}
    columns = [
        rec
        for rec in current.recommendations
        if (matrix_filter.focus_area is None or rec.focus_area.key == matrix_filter.focus_area)
        and (matrix_filter.kind is None or rec.kind == matrix_filter.kind)
    ]
    rows = []
    for municipality in current.municipalities:
        cells = tuple(
            MatrixCell(rec, current.standing(municipality.code, rec.id), comparisons.get((municipality.code, rec.id)))
            for rec in columns
        )
        rows.append(
            MatrixRow(
                municipality,
                municipality.code in current.submitted,
                cells,
                tally((cell.recommendation.kind, cell.standing) for cell in cells),
            )
        )
    matrix_columns = tuple(
        MatrixColumn(rec, tally((rec.kind, row.cells[index].standing) for row in rows))
        for index, rec in enumerate(columns)
    )
    return Matrix(
        round=current.round,
        previous_year=previous.round.year if previous else None,
        filter=matrix_filter,
        focus_areas=current.focus_areas,
        kinds=tuple(kind for kind in Kind if any(rec.kind == kind for rec in current.recommendations)),
        columns=matrix_columns,
        rows=tuple(_sorted(rows, matrix_filter.sort, history)),
        total=sum((column.tally for column in matrix_columns), Tally()),
        years=years,
    )


def _sorted(rows: list[MatrixRow], sort: str, history: KkrHistory) -> list[MatrixRow]:
    if sort == SORT_BY_CODE:
        return sorted(rows, key=lambda row: row.municipality.code)
    by_name = sorted(rows, key=lambda row: danish_sort_key(row.municipality.name))
    if sort == SORT_BY_NAME:
        return by_name
    rec_id = next(rec.id for rec in history.current.recommendations if rec.key == sort)
    # Sorting by a column that the filter hides still sorts by that recommendation's colour.
    return sorted(by_name, key=lambda row: _SORT_ORDER[history.current.standing(row.municipality.code, rec_id)])
