"""The remarks behind the figures: for a cell, a municipality's row, a recommendation's column,
or the whole round (grouped by recommendation, so municipalities can learn from each other)."""

from dataclasses import dataclass

from sqlmodel import Session, col, select

from app.domain.errors import NotFound
from app.domain.rollup.data import COUNTED_STATES, MunicipalityInfo, RecommendationInfo, RoundData
from app.domain.vocabulary import Standing
from app.models import StatusEntry, StatusReport


@dataclass(frozen=True)
class Remark:
    municipality: MunicipalityInfo
    recommendation: RecommendationInfo
    standing: Standing
    text: str  # the remark, or for a fravalgt row the reason; "" when none was written


@dataclass(frozen=True)
class Remarks:
    """What a drill-down shows: the subject, then one remark per cell, in catalogue order and
    then Danish alphabetical order. Submitted reports only, like every figure."""

    year: int
    municipality: MunicipalityInfo | None  # set when drilling into a row or a cell
    recommendation: RecommendationInfo | None  # set when drilling into a column or a cell
    remarks: tuple[Remark, ...]

    @property
    def written(self) -> int:
        return sum(1 for remark in self.remarks if remark.text)


def remarks_of(
    session: Session,
    data: RoundData,
    *,
    municipality_code: int | None = None,
    recommendation_key: str | None = None,
) -> Remarks:
    """The remarks of a round's cells, narrowed to a municipality and/or a recommendation (one
    query). NotFound, in Danish, for a municipality or recommendation that is not in the round."""
    municipality = recommendation = None
    municipalities = data.municipalities
    recommendations = data.recommendations
    if municipality_code is not None:
        municipality = next((m for m in municipalities if m.code == municipality_code), None)
        if municipality is None:
            raise NotFound(f"Kommunekode {municipality_code} indgår ikke i {data.round.kkr_name}s runde.")
        municipalities = (municipality,)
    if recommendation_key is not None:
        recommendation = next((r for r in recommendations if r.key == recommendation_key), None)
        if recommendation is None:
            raise NotFound(f"Anbefalingen {recommendation_key!r} indgår ikke i runden for {data.round.year}.")
        recommendations = (recommendation,)
    query = (
        select(
            StatusReport.municipality_code,
            StatusEntry.recommendation_id,
            StatusEntry.remark,
            StatusEntry.opt_out_reason,
        )
        .join(StatusReport, col(StatusReport.id) == StatusEntry.report_id)
        .where(StatusReport.round_id == data.round.id)
        .where(col(StatusReport.state).in_(COUNTED_STATES))
    )
    if municipality is not None:
        query = query.where(StatusReport.municipality_code == municipality.code)
    if recommendation is not None:
        query = query.where(StatusEntry.recommendation_id == recommendation.id)
    texts = {(code, rec_id): (remark, reason) for code, rec_id, remark, reason in session.exec(query)}
    remarks = []
    for rec in recommendations:
        for m in municipalities:
            standing = data.standing(m.code, rec.id)
            remark, reason = texts.get((m.code, rec.id), ("", ""))
            text = reason if standing is Standing.OPTED_OUT else remark
            remarks.append(Remark(m, rec, standing, text))
    return Remarks(data.round.year, municipality, recommendation, tuple(remarks))
