"""The front page: what the logged-in user can work on."""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.deps import OptionalUser, ReadSession
from app.domain.accounts import actor_of
from app.domain.catalogue_queries import list_catalogues
from app.domain.overview import overview_for
from app.web.templating import render

router = APIRouter()


@router.get("/")
def home(request: Request, session: ReadSession, user: OptionalUser) -> Response:
    overviews = overview_for(session, actor_of(user)) if user else []
    return render(request, "pages/home.html", {"overviews": overviews, "catalogues": list_catalogues(session)})
