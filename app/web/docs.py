"""The OpenAPI docs, from the app's own copy of Swagger UI (no CDN, no inline script)."""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.web.templating import render

router = APIRouter()


@router.get("/api/docs")
def api_docs(request: Request) -> Response:
    return render(request, "pages/api_docs.html", {})
