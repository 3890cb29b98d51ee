"""HTML pages and HTMX fragments. Thin: read the request, call the domain, render."""

from fastapi import APIRouter

from app.web import (
    account,
    auth,
    catalogue,
    docs,
    documents,
    health,
    home,
    reports,
    rollup,
    rounds,
    spreadsheets,
    users,
)

router = APIRouter(include_in_schema=False)
# rollup before reports: /kommuner/{code}/udvikling must not be taken for a year.
for module in (home, auth, catalogue, rollup, reports, rounds, documents, docs, health, spreadsheets, account, users):
    router.include_router(module.router)
