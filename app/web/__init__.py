"""HTML pages and HTMX fragments. Thin: read the request, call the domain, render."""

from fastapi import APIRouter

from app.web import auth, catalogue, docs, documents, health, home, reports, rollup, rounds, spreadsheets

router = APIRouter(include_in_schema=False)
# rollup before reports: /kommuner/{code}/udvikling must not be taken for a year.
for module in (home, auth, catalogue, rollup, reports, rounds, documents, docs, health, spreadsheets):
    router.include_router(module.router)
