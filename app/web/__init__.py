"""HTML pages and HTMX fragments. Thin: read the request, call the domain, render."""

from fastapi import APIRouter

from app.web import account, auth, catalogue, docs, health, home, reports, rounds, users

router = APIRouter(include_in_schema=False)
for module in (home, auth, catalogue, reports, rounds, docs, health, account, users):
    router.include_router(module.router)
