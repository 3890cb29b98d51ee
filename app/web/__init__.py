"""HTML pages and HTMX fragments. Thin: read the request, call the domain, render."""

from fastapi import APIRouter

from app.web import auth, catalogue, docs, documents, health, home, reports

router = APIRouter(include_in_schema=False)
for module in (home, auth, catalogue, reports, documents, docs, health):
    router.include_router(module.router)
