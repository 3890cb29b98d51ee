"""What the rollup endpoints return: the same figures as the pages, by the same definitions
(``app.domain.rollup.figures``)."""

from pydantic import BaseModel

from app.domain.rollup.change import Comparison
from app.domain.rollup.data import MunicipalityInfo, RecommendationInfo, RoundInfo
from app.domain.rollup.figures import STANDINGS, Tally
from app.domain.vocabulary import Change, Kind, RoundState, Standing


class TallyOut(BaseModel):
    """Counts of cells; shares are fractions (0-1), null when there is nothing to divide by."""

    green: int
    yellow: int
    red: int
    opted_out: int
    not_reported: int
    unconfirmed: int
    total: int
    shares: dict[Standing, float | None]  # of total
    started: int  # grøn + gul
    started_share: float | None  # (grøn + gul) / (grøn + gul + rød)
    skal_compliance: float | None  # SKAL grøn / SKAL with a colour

    @classmethod
    def of(cls, tally: Tally) -> "TallyOut":
        return cls(
            **{standing.value: tally.count(standing) for standing in STANDINGS},
            total=tally.total,
            shares={standing: tally.share(standing) for standing in STANDINGS},
            started=tally.started,
            started_share=tally.started_share,
            skal_compliance=tally.skal_compliance,
        )


class RoundOut(BaseModel):
    kkr_id: int
    kkr: str
    year: int
    state: RoundState
    catalogue: str

    @classmethod
    def of(cls, info: RoundInfo) -> "RoundOut":
        return cls(
            kkr_id=info.kkr_id, kkr=info.kkr_name, year=info.year, state=info.state, catalogue=info.catalogue_key
        )


class RecommendationRef(BaseModel):
    id: str
    label: str
    kind: Kind
    focus_area: str
    text: str

    @classmethod
    def of(cls, rec: RecommendationInfo) -> "RecommendationRef":
        return cls(id=rec.key, label=rec.label, kind=rec.kind, focus_area=rec.focus_area.key, text=rec.text)


class MunicipalityRef(BaseModel):
    code: int
    name: str

    @classmethod
    def of(cls, municipality: MunicipalityInfo) -> "MunicipalityRef":
        return cls(code=municipality.code, name=municipality.name)


class ParticipationOut(BaseModel):
    municipalities: int
    submitted: int
    share: float | None


class RecommendationFiguresOut(BaseModel):
    recommendation: RecommendationRef
    figures: TallyOut


class FocusAreaFiguresOut(BaseModel):
    focus_area: str
    title: str
    figures: TallyOut


class KindFiguresOut(BaseModel):
    kind: Kind
    figures: TallyOut


class MunicipalityFiguresOut(BaseModel):
    municipality: MunicipalityRef
    submitted: bool
    figures: TallyOut


class RoundFiguresOut(BaseModel):
    round: RoundOut
    participation: ParticipationOut
    overall: TallyOut
    by_recommendation: list[RecommendationFiguresOut]
    by_focus_area: list[FocusAreaFiguresOut]
    by_kind: list[KindFiguresOut]
    by_municipality: list[MunicipalityFiguresOut]


class ComparisonOut(BaseModel):
    change: Change | None  # null: no direction
    symbol: str | None
    previous: Standing | None
    previous_year: int
    compared_with: list[str]  # several: a merge, compared with the worst of them
    note: str

    @classmethod
    def of(cls, comparison: Comparison | None) -> "ComparisonOut | None":
        if comparison is None:
            return None
        return cls(
            change=comparison.change,
            symbol=comparison.change.symbol if comparison.change else None,
            previous=comparison.previous,
            previous_year=comparison.previous_year,
            compared_with=list(comparison.sources),
            note=comparison.note,
        )


class MatrixCellOut(BaseModel):
    recommendation: str
    standing: Standing
    comparison: ComparisonOut | None


class MatrixRowOut(BaseModel):
    municipality: MunicipalityRef
    submitted: bool
    cells: list[MatrixCellOut]
    figures: TallyOut


class MatrixColumnOut(BaseModel):
    recommendation: RecommendationRef
    figures: TallyOut


class MatrixOut(BaseModel):
    round: RoundOut
    previous_year: int | None
    focus_area: str | None
    kind: Kind | None
    sort: str
    columns: list[MatrixColumnOut]
    rows: list[MatrixRowOut]
    total: TallyOut


class MovementOut(BaseModel):
    better: int
    worse: int
    same: int
    new: int
    no_direction: int
    net: int


class EscalationOut(BaseModel):
    municipality: MunicipalityRef
    recommendation: RecommendationRef
    red_in: list[int]
    followed_from: list[str]


class MunicipalityMovementOut(BaseModel):
    municipality: MunicipalityRef
    movement: MovementOut


class RecommendationMovementOut(BaseModel):
    recommendation: RecommendationRef
    movement: MovementOut


class WhereToActOut(BaseModel):
    round: RoundOut
    previous_year: int | None
    escalations: list[EscalationOut]
    most_improved_municipalities: list[MunicipalityMovementOut]
    most_improved_recommendations: list[RecommendationMovementOut]


class RemarkOut(BaseModel):
    municipality: MunicipalityRef
    recommendation: str
    standing: Standing
    text: str


class RemarksOut(BaseModel):
    year: int
    remarks: list[RemarkOut]


class TrendCellOut(BaseModel):
    year: int
    standing: Standing | None  # null: did not apply that year
    read_from: list[str]
    comparison: ComparisonOut | None


class TrendRowOut(BaseModel):
    recommendation: RecommendationRef
    retired: bool
    cells: list[TrendCellOut]


class TrendYearOut(BaseModel):
    year: int
    submitted: bool
    figures: TallyOut


class TrendOut(BaseModel):
    municipality: MunicipalityRef
    kkr: str
    years: list[TrendYearOut]
    rows: list[TrendRowOut]
