"""The JSON API under /api: the same reads and writes as the pages, through the same domain."""

from fastapi import APIRouter

from app.api import catalogue, me, reports, rounds, users

router = APIRouter(prefix="/api")
for module in (catalogue, me, reports, rounds, users):
    router.include_router(module.router)
