"""create_app(): middleware, routers, static files, templates and error pages."""

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.api import router as api_router
from app.api.errors import HTTP_CODES, HTTP_MESSAGES, api_error, domain_error_body, problems_of, summary
from app.config import DEV_SECRET_KEY, STATIC_DIR, Settings, get_settings
from app.db import Database
from app.deps import LoginRequired
from app.domain.errors import DomainError
from app.security.api_request import is_api_request
from app.security.csrf import CSRFMiddleware
from app.security.headers import SecurityHeadersMiddleware
from app.security.last_resort import LastResortMiddleware
from app.security.limits import BodySizeLimitMiddleware
from app.spreadsheets.reading import UPLOAD_BODY_BYTES, UPLOAD_PATHS
from app.web import router as web_router
from app.web.templating import path_for, render_error

logger = logging.getLogger("fremdrift")


def create_app(settings: Settings | None = None, database: Database | None = None) -> FastAPI:
    settings = settings or get_settings()
    database = database or Database(settings.database_url)
    if settings.secret_key == DEV_SECRET_KEY and not settings.demo:
        logger.warning("FREMDRIFT_SECRET_KEY is not set: set a long random value in production.")

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # Everything loaded at start-up lives as long as the process: keep it out of the garbage
        # collector's full passes, which otherwise cost tens of milliseconds each under load.
        gc.collect()
        gc.freeze()
        yield
        database.dispose()

    app = FastAPI(
        title="Fremdrift API",
        description="Statusrapporter for KKR's anbefalinger: samme data og regler som web-siderne.",
        version="1",
        docs_url=None,  # served by app.web.docs from our own static files, under a strict CSP
        redoc_url=None,
        openapi_url="/api/openapi.json",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.database = database

    # Innermost first: CSRF before any route runs, the body's size before CSRF reads a form, an
    # unexpected error turned into a Danish 500, and the security headers on every response.
    app.add_middleware(CSRFMiddleware, secret_key=settings.secret_key, secure_cookies=settings.https)
    app.add_middleware(BodySizeLimitMiddleware, larger={UPLOAD_PATHS: UPLOAD_BODY_BYTES})
    app.add_middleware(LastResortMiddleware)
    app.add_middleware(SecurityHeadersMiddleware, https=settings.https)

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    # The pages before the API: routes are matched one by one, and the pages' requests (a save
    # above all) are the frequent ones; no page's path starts with /api/ but the API's HTML docs,
    # which the API router does not have (tests/test_routes_order.py).
    app.include_router(web_router)
    app.include_router(api_router)
    _install_error_handlers(app)
    return app


def _wants_json(request: Request) -> bool:
    return is_api_request(request.url.path)


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def domain_error(request: Request, error: DomainError) -> Response:
        if _wants_json(request):
            return JSONResponse(domain_error_body(error), status_code=error.status_code)
        return render_error(request, error.message, error.status_code)

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, _error: LoginRequired) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        if request.headers.get("hx-request"):
            return Response(status_code=401)
        return RedirectResponse(f"{path_for(request, 'login_form')}?next={quote(target)}", status_code=303)

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, error: RequestValidationError) -> Response:
        problems = problems_of(list(error.errors()))
        if _wants_json(request):
            field = problems[0].field if len(problems) == 1 else None
            body = api_error(summary(problems), "RequestInvalid", field=field, problems=problems)
            return JSONResponse(body, status_code=422)
        return render_error(request, summary(problems), 422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        # Starlette's details are English ("Not Found", "There was an error parsing the body"):
        # each status it raises has its Danish message.
        status = error.status_code
        if _wants_json(request):
            detail = HTTP_MESSAGES.get(status, str(error.detail))
            body = api_error(detail, HTTP_CODES.get(status, f"HTTP{status}"))
            return JSONResponse(body, status_code=status, headers=error.headers)
        message = {**HTTP_MESSAGES, 404: "Siden findes ikke."}.get(status, str(error.detail))
        response = render_error(request, message, error.status_code)
        if error.headers:
            response.headers.update(error.headers)
        return response
