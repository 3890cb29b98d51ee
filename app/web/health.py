"""A health check for load balancers and the container: is the database answering?"""

import logging
from typing import Literal

from fastapi import APIRouter, Response
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app.deps import DatabaseDep

router = APIRouter()
logger = logging.getLogger("fremdrift")


class Health(BaseModel):
    status: Literal["ok", "error"]
    database: Literal["ok", "unreachable"]


@router.get("/healthz")
def health(database: DatabaseDep, response: Response) -> Health:
    try:
        with database.read() as session:
            session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        logger.exception("health check: the database did not answer")
        response.status_code = 503
        return Health(status="error", database="unreachable")
    return Health(status="ok", database="ok")
