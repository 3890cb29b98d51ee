"""The matrix and the escalation list as the consolidated report prints them, read off the
rollup's matrix, year-over-year and escalation functions."""

from app.domain.documents import shapes as s
from app.domain.rollup.data import KkrHistory
from app.domain.rollup.round_figures import RoundFigures


def matrix_rows(history: KkrHistory, figures: RoundFigures, numbers: dict[int, int]) -> list[s.MatrixRow]:
    """One row per municipality of the KKR (Danish order), one cell per recommendation in the
    order of the report's numbers."""
    data = history.current
    recs = sorted(data.recommendations, key=lambda rec: numbers[rec.id])
    by_code = {mf.municipality.code: mf for mf in figures.by_municipality}
    return [
        s.MatrixRow(
            code=m.code,
            name=m.name,
            cells=[s.MatrixCell(status=s.Status(standing=data.standing(m.code, rec.id))) for rec in recs],
            distribution=s.Distribution.of(by_code[m.code].tally),
        )
        for m in data.municipalities
    ]


def escalations(history: KkrHistory, numbers: dict[int, int]) -> list[s.Escalation]:
    return []
