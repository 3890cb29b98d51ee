"""HTML pages and HTMX fragments. Thin: read the request, call the domain, render."""

from fastapi import APIRouter

<<<<<<< HEAD
from app.web import auth, catalogue, docs, documents, health, home, reports

router = APIRouter(include_in_schema=False)
for module in (home, auth, catalogue, reports, documents, docs, health):
=======
from app.web import auth, catalogue, docs, health, home, reports, rollup

router = APIRouter(include_in_schema=False)
# rollup before reports: /kommuner/{code}/udvikling must not be taken for a year.
for module in (home, auth, catalogue, rollup, reports, docs, health):
>>>>>>> issue-12
    router.include_router(module.router)
