"""The coordinator's view of a round: the matrix, the remarks behind it, where to act, and one
municipality's years. Thin: read the request, call the rollup, render."""

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from app.deps import MAX_PATH_ID, CurrentActor, PathId, PathYear, ReadSession
from app.domain.errors import InvalidInput
from app.domain.rollup import matrix_for, remarks_for, trend_for, where_to_act_for
from app.domain.rollup.figures import STANDINGS, percent
from app.web.templating import render, templates

router = APIRouter()
templates.env.filters["percent"] = percent
templates.env.globals["STANDINGS"] = STANDINGS


@router.get("/runder/{kkr_id}/{year}/matrix")
def matrix_page(
    request: Request,
    kkr_id: PathId,
    year: PathYear,
    session: ReadSession,
    actor: CurrentActor,
    fokusomraade: str | None = None,
    kind: Annotated[str | None, Query(alias="type")] = None,
    sorter: str | None = None,
) -> Response:
    sent = {"fokusomraade": fokusomraade or "", "type": kind or "", "sorter": sorter or ""}
    try:
        matrix = matrix_for(session, actor, kkr_id, year, focus_area=fokusomraade, kind=kind, sort=sorter)
    except InvalidInput as error:
        # A filter that is not an option: say so next to it, and show the whole matrix.
        matrix = matrix_for(session, actor, kkr_id, year)
        return render(request, "pages/matrix.html", {"matrix": matrix, "error": error, "sent": sent}, status_code=422)
    return render(request, "pages/matrix.html", {"matrix": matrix, "error": None, "sent": sent})


@router.get("/runder/{kkr_id}/{year}/bemaerkninger")
def remarks_page(
    request: Request,
    kkr_id: PathId,
    year: PathYear,
    session: ReadSession,
    actor: CurrentActor,
    kommune: Annotated[int | None, Query(ge=1, le=MAX_PATH_ID)] = None,
    anbefaling: str | None = None,
) -> Response:
    """A cell (kommune and anbefaling), a row (kommune) or a column (anbefaling): as the
    matrix's drill-down panel for HTMX, or as a page of its own."""
    remarks = remarks_for(
        session, actor, kkr_id, year, municipality_code=kommune, recommendation_key=anbefaling or None
    )
    context = {"remarks": remarks, "kkr_id": kkr_id}
    block = "remarks" if request.headers.get("hx-request") else None
    return render(request, "pages/remarks.html", context, block=block)


@router.get("/runder/{kkr_id}/{year}/indsats")
def where_to_act_page(
    request: Request, kkr_id: PathId, year: PathYear, session: ReadSession, actor: CurrentActor
) -> Response:
    act = where_to_act_for(session, actor, kkr_id, year)
    return render(request, "pages/where_to_act.html", {"act": act, "kkr_id": kkr_id})


@router.get("/kommuner/{code}/udvikling")
def trend_page(request: Request, code: PathId, session: ReadSession, actor: CurrentActor) -> Response:
    return render(request, "pages/trend.html", {"trend": trend_for(session, actor, code)})
