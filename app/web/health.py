"""A health check for load balancers and the container: is the database answering?"""

import logging

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app.deps import DatabaseDep

router = APIRouter()
logger = logging.getLogger("fremdrift")


@router.get("/healthz")
def health(database: DatabaseDep) -> JSONResponse:
    try:
        with database.read() as session:
            session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        logger.exception("health check: the database did not answer")
        return JSONResponse({"status": "error", "database": "unreachable"}, status_code=503)
    return JSONResponse({"status": "ok", "database": "ok"})
