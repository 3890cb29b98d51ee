"""HTML pages and HTMX fragments. Thin: read the request, call the domain, render."""

from fastapi import APIRouter

from app.web import auth, catalogue, docs, health, home, reports, rounds

router = APIRouter(include_in_schema=False)
for module in (home, auth, catalogue, reports, rounds, docs, health):
    router.include_router(module.router)
