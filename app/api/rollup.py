"""A round's rollup as JSON: the figures, the matrix, where to act, the remarks and a
municipality's years, by the same domain functions and access checks as the pages."""

from typing import Annotated

from fastapi import APIRouter, Query

from app.api.rollup_schemas import (
    ComparisonOut,
    EscalationOut,
    FocusAreaFiguresOut,
    KindFiguresOut,
    MatrixCellOut,
    MatrixColumnOut,
    MatrixOut,
    MatrixRowOut,
    MovementOut,
    MunicipalityFiguresOut,
    MunicipalityMovementOut,
    MunicipalityRef,
    ParticipationOut,
    RecommendationFiguresOut,
    RecommendationMovementOut,
    RecommendationRef,
    RemarkOut,
    RemarksOut,
    RoundFiguresOut,
    RoundOut,
    TallyOut,
    TrendCellOut,
    TrendOut,
    TrendRowOut,
    TrendYearOut,
    WhereToActOut,
)
from app.deps import MAX_PATH_ID, CurrentActor, PathId, PathYear, ReadSession
from app.domain.rollup import matrix_for, remarks_for, rollup_for, trend_for, where_to_act_for
from app.domain.rollup.escalation import Movement

router = APIRouter(tags=["opfølgning"])


@router.get("/rollup/{kkr_id}/{year}")
def figures(kkr_id: PathId, year: PathYear, session: ReadSession, actor: CurrentActor) -> RoundFiguresOut:
    """Counts and shares per recommendation, focus area, kind, municipality and overall."""
    rollup = rollup_for(session, actor, kkr_id, year)
    return RoundFiguresOut(
        round=RoundOut.of(rollup.round),
        participation=ParticipationOut(
            municipalities=rollup.participation.municipalities,
            submitted=rollup.participation.submitted,
            share=rollup.participation.share,
        ),
        overall=TallyOut.of(rollup.overall),
        by_recommendation=[
            RecommendationFiguresOut(
                recommendation=RecommendationRef.of(f.recommendation), figures=TallyOut.of(f.tally)
            )
            for f in rollup.by_recommendation
        ],
        by_focus_area=[
            FocusAreaFiguresOut(focus_area=f.focus_area.key, title=f.focus_area.title, figures=TallyOut.of(f.tally))
            for f in rollup.by_focus_area
        ],
        by_kind=[KindFiguresOut(kind=f.kind, figures=TallyOut.of(f.tally)) for f in rollup.by_kind],
        by_municipality=[
            MunicipalityFiguresOut(
                municipality=MunicipalityRef.of(f.municipality), submitted=f.submitted, figures=TallyOut.of(f.tally)
            )
            for f in rollup.by_municipality
        ],
    )


@router.get("/rollup/{kkr_id}/{year}/matrix")
def matrix(
    kkr_id: PathId,
    year: PathYear,
    session: ReadSession,
    actor: CurrentActor,
    focus_area: str | None = None,
    kind: str | None = None,
    sort: str | None = None,
) -> MatrixOut:
    """Municipalities × recommendations with the year-over-year markers (▲ ▼ = • ny)."""
    found = matrix_for(session, actor, kkr_id, year, focus_area=focus_area, kind=kind, sort=sort)
    return MatrixOut(
        round=RoundOut.of(found.round),
        previous_year=found.previous_year,
        focus_area=found.filter.focus_area,
        kind=found.filter.kind,
        sort=found.filter.sort,
        columns=[
            MatrixColumnOut(recommendation=RecommendationRef.of(c.recommendation), figures=TallyOut.of(c.tally))
            for c in found.columns
        ],
        rows=[
            MatrixRowOut(
                municipality=MunicipalityRef.of(row.municipality),
                submitted=row.submitted,
                cells=[
                    MatrixCellOut(
                        recommendation=cell.recommendation.key,
                        standing=cell.standing,
                        comparison=ComparisonOut.of(cell.comparison),
                    )
                    for cell in row.cells
                ],
                figures=TallyOut.of(row.tally),
            )
            for row in found.rows
        ],
        total=TallyOut.of(found.total),
    )


def _movement(movement: Movement) -> MovementOut:
    return MovementOut(
        better=movement.better,
        worse=movement.worse,
        same=movement.same,
        new=movement.new,
        no_direction=movement.no_direction,
        net=movement.net,
    )


@router.get("/rollup/{kkr_id}/{year}/where-to-act")
def where_to_act(kkr_id: PathId, year: PathYear, session: ReadSession, actor: CurrentActor) -> WhereToActOut:
    """SKAL rows red two or more rounds in a row, and the most improved since the previous round."""
    act = where_to_act_for(session, actor, kkr_id, year)
    return WhereToActOut(
        round=RoundOut.of(act.round),
        previous_year=act.previous_year,
        escalations=[
            EscalationOut(
                municipality=MunicipalityRef.of(e.municipality),
                recommendation=RecommendationRef.of(e.recommendation),
                red_in=list(e.years),
                followed_from=list(e.sources),
            )
            for e in act.escalations
        ],
        most_improved_municipalities=[
            MunicipalityMovementOut(municipality=MunicipalityRef.of(m.municipality), movement=_movement(m.movement))
            for m in act.most_improved_municipalities
        ],
        most_improved_recommendations=[
            RecommendationMovementOut(
                recommendation=RecommendationRef.of(r.recommendation), movement=_movement(r.movement)
            )
            for r in act.most_improved_recommendations
        ],
    )


@router.get("/rollup/{kkr_id}/{year}/remarks")
def remarks(
    kkr_id: PathId,
    year: PathYear,
    session: ReadSession,
    actor: CurrentActor,
    municipality: Annotated[int | None, Query(ge=1, le=MAX_PATH_ID)] = None,
    recommendation: str | None = None,
) -> RemarksOut:
    """The remarks of a cell, a row, a column or the whole round (submitted reports only)."""
    found = remarks_for(session, actor, kkr_id, year, municipality_code=municipality, recommendation_key=recommendation)
    return RemarksOut(
        year=found.year,
        remarks=[
            RemarkOut(
                municipality=MunicipalityRef.of(r.municipality),
                recommendation=r.recommendation.key,
                standing=r.standing,
                text=r.text,
            )
            for r in found.remarks
        ],
    )


@router.get("/municipalities/{code}/trend")
def trend(code: PathId, session: ReadSession, actor: CurrentActor) -> TrendOut:
    """One municipality's years side by side, following the catalogue editions."""
    found = trend_for(session, actor, code)
    return TrendOut(
        municipality=MunicipalityRef.of(found.municipality),
        kkr=found.kkr_name,
        years=[TrendYearOut(year=y.year, submitted=y.submitted, figures=TallyOut.of(y.tally)) for y in found.years],
        rows=[
            TrendRowOut(
                recommendation=RecommendationRef.of(row.recommendation),
                retired=row.retired,
                cells=[
                    TrendCellOut(
                        year=c.year,
                        standing=c.standing,
                        read_from=list(c.sources),
                        comparison=ComparisonOut.of(c.comparison),
                    )
                    for c in row.cells
                ],
            )
            for row in found.rows
        ],
    )
