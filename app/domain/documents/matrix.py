"""The matrix, the escalation list and the most improved, as the consolidated report prints
them: read off the rollup's ``build_matrix`` and ``where_to_act``."""

from app.domain.documents import shapes as s
from app.domain.rollup.data import KkrHistory
from app.domain.rollup.escalation import where_to_act
from app.domain.rollup.matrix import build_matrix


def matrix_rows(history: KkrHistory) -> list[s.MatrixRow]:
    """One row per municipality of the KKR (Danish order), one cell per recommendation in
    catalogue order, with its marker against the previous round."""
    return [
        s.MatrixRow(
            code=row.municipality.code,
            name=row.municipality.name,
            cells=[
                s.MatrixCell(
                    status=s.Status(standing=cell.standing),
                    change=cell.comparison.change if cell.comparison else None,
                    note=cell.comparison.note if cell.comparison else "",
                )
                for cell in row.cells
            ],
            distribution=s.Distribution.of(row.tally),
        )
        for row in build_matrix(history).rows
    ]


def where_to_act_part(history: KkrHistory, numbers: dict[int, int]) -> s.WhereToActPart:
    """What to escalate (SKAL rows red several rounds in a row) and who improved most."""
    found = where_to_act(history)
    return s.WhereToActPart(
        escalations=[
            s.Escalation(
                municipality=e.municipality.name,
                number=numbers[e.recommendation.id],
                recommendation=e.recommendation.text,
                reason=f"Rød {e.rounds} runder i træk ({', '.join(str(year) for year in e.years)})"
                + (f", som {', '.join(e.sources)}" if e.sources else ""),
            )
            for e in found.escalations
        ],
        improved=[
            s.Improvement(name=m.municipality.name, better=m.movement.better, worse=m.movement.worse)
            for m in found.most_improved_municipalities
        ],
        no_previous_round=found.no_previous_round or "",
    )
