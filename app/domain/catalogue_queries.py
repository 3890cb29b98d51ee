"""Reading a catalogue back as the tree people know: guidelines, focus areas, skal/kan rows."""

from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from app.domain.errors import NotFound
from app.domain.vocabulary import Kind
from app.models import (
    Catalogue,
    FocusArea,
    Guideline,
    Kkr,
    Recommendation,
    RecommendationReplacement,
)


@dataclass
class FocusAreaRows:
    area: FocusArea
    recommendations: list[Recommendation] = field(default_factory=list)

    def of_kind(self, kind: Kind) -> list[Recommendation]:
        return [rec for rec in self.recommendations if rec.kind == kind]


@dataclass
class CatalogueTree:
    catalogue: Catalogue
    kkr: Kkr
    guidelines: list[Guideline]
    focus_areas: list[FocusAreaRows]
    replaces: dict[int, list[str]]  # recommendation id -> keys it replaces

    @property
    def recommendations(self) -> list[Recommendation]:
        return [rec for rows in self.focus_areas for rec in rows.recommendations]

    @property
    def colour_meanings(self) -> dict[str, str]:
        return {
            "green": self.catalogue.colour_green,
            "yellow": self.catalogue.colour_yellow,
            "red": self.catalogue.colour_red,
        }


def list_catalogues(session: Session) -> list[tuple[Catalogue, Kkr]]:
    query = select(Catalogue, Kkr).join(Kkr, col(Kkr.id) == Catalogue.kkr_id)
    return list(session.exec(query.order_by(Kkr.name, col(Catalogue.adopted_on).desc())).all())


def get_catalogue_tree(session: Session, key: str, *, year: int | None = None) -> CatalogueTree:
    """The catalogue ``key``; with ``year``, only the recommendations that apply that year."""
    row = session.exec(
        select(Catalogue, Kkr).join(Kkr, col(Kkr.id) == Catalogue.kkr_id).where(Catalogue.key == key)
    ).first()
    if row is None:
        raise NotFound(f"Kataloget {key!r} findes ikke.")
    return build_tree(session, *row, year=year)


def build_tree(session: Session, catalogue: Catalogue, kkr: Kkr, *, year: int | None = None) -> CatalogueTree:
    guidelines = session.exec(
        select(Guideline).where(Guideline.catalogue_id == catalogue.id).order_by(col(Guideline.position))
    ).all()
    areas = session.exec(
        select(FocusArea).where(FocusArea.catalogue_id == catalogue.id).order_by(col(FocusArea.position))
    ).all()
    query = select(Recommendation).where(Recommendation.catalogue_id == catalogue.id)
    if year is not None:
        query = query.where(Recommendation.first_year <= year).where(
            col(Recommendation.last_year).is_(None) | (col(Recommendation.last_year) >= year)
        )
    recs = session.exec(query.order_by(col(Recommendation.position))).all()
    by_area = {area.id: FocusAreaRows(area) for area in areas}
    for rec in recs:
        by_area[rec.focus_area_id].recommendations.append(rec)

    replaced = session.exec(
        select(RecommendationReplacement.replacement_id, Recommendation.key)
        .join(Recommendation, col(Recommendation.id) == RecommendationReplacement.replaced_id)
        .where(col(RecommendationReplacement.replacement_id).in_([rec.id for rec in recs]))
    ).all()
    replaces: dict[int, list[str]] = {}
    for replacement_id, old_key in replaced:
        replaces.setdefault(replacement_id, []).append(old_key)
    return CatalogueTree(catalogue, kkr, list(guidelines), list(by_area.values()), replaces)
