"""Catalogues as JSON."""

from fastapi import APIRouter

from app.api.schemas import (
    CatalogueOut,
    CatalogueSummary,
    FocusAreaOut,
    GuidelineOut,
    RecommendationOut,
)
from app.deps import ReadSession
from app.domain.catalogue_queries import CatalogueTree, get_catalogue_tree, list_catalogues

router = APIRouter(tags=["katalog"])


@router.get("/catalogues")
def catalogues(session: ReadSession) -> list[CatalogueSummary]:
    return [
        CatalogueSummary(id=c.key, kkr=k.name, title=c.title, adopted=c.adopted_on) for c, k in list_catalogues(session)
    ]


@router.get("/catalogues/{key}")
def catalogue(key: str, session: ReadSession) -> CatalogueOut:
    return catalogue_out(get_catalogue_tree(session, key))


def catalogue_out(tree: CatalogueTree) -> CatalogueOut:
    return CatalogueOut(
        id=tree.catalogue.key,
        kkr=tree.kkr.name,
        title=tree.catalogue.title,
        adopted=tree.catalogue.adopted_on,
        colours=tree.colour_meanings,
        guidelines=[GuidelineOut(id=g.key, title=g.title, text=g.text) for g in tree.guidelines],
        focus_areas=[
            FocusAreaOut(
                id=group.area.key,
                title=group.area.title,
                intro=group.area.intro,
                recommendations=[
                    RecommendationOut(
                        id=rec.key,
                        kind=rec.kind,
                        text=rec.text,
                        first_year=rec.first_year,
                        last_year=rec.last_year,
                        replaces=tree.replaces.get(rec.id or 0, []),
                    )
                    for rec in group.recommendations
                ],
            )
            for group in tree.focus_areas
        ],
    )
