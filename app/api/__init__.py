"""The JSON API under /api: the same reads and writes as the pages, through the same domain."""

from fastapi import APIRouter

from app.api import catalogue, me, reports, rollup, rounds, spreadsheets, users
from app.api.errors import ERROR_RESPONSES

# Every operation documents the one error shape (app.api.errors) for every error it can give.
router = APIRouter(prefix="/api", responses=ERROR_RESPONSES)
for module in (catalogue, me, reports, rollup, rounds, spreadsheets, users):
    router.include_router(module.router)
