"""The catalogue as a page: guidelines, focus areas, SKAL and KAN rows."""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.deps import OptionalUser, ReadSession
from app.domain.catalogue_queries import get_catalogue_tree, list_catalogues
from app.web.templating import render

router = APIRouter()


@router.get("/katalog")
def catalogue_list(request: Request, session: ReadSession, _user: OptionalUser) -> Response:
    return render(request, "pages/catalogue_list.html", {"catalogues": list_catalogues(session)})


@router.get("/katalog/{key}")
def catalogue_page(request: Request, key: str, session: ReadSession, _user: OptionalUser) -> Response:
    return render(request, "pages/catalogue.html", {"tree": get_catalogue_tree(session, key)})
