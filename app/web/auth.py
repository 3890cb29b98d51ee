"""Log in and log out."""

from datetime import timedelta
from typing import Annotated
from urllib.parse import urlparse

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from app.deps import DatabaseDep, Now, OptionalUser, SettingsDep
from app.domain.accounts import (
    LOGIN_FAILED_MESSAGE,
    LoginPolicy,
    LoginThrottled,
    begin_login,
    end_session,
    finish_login,
    start_session,
    withdraw_login,
)
from app.security.csrf import SESSION_COOKIE
from app.security.passwords import HashingBusy, verify_password
from app.web.templating import path_for, render

router = APIRouter()


def safe_next(target: str | None) -> str:
    """Only ever redirect within the app after log-in."""
    if not target:
        return "/"
    parsed = urlparse(target)
    # Browsers read "/\\host" as "//host": refuse backslashes and control characters outright.
    unsafe = "\\" in target or any(ord(char) < 32 for char in target)
    if unsafe or parsed.scheme or parsed.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


@router.get("/login")
def login_form(request: Request, user: OptionalUser, next: str = "/") -> Response:
    if user is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return render(request, "pages/login.html", {"next": safe_next(next), "email": ""})


@router.post("/login")
def login(
    request: Request,
    database: DatabaseDep,
    settings: SettingsDep,
    now: Now,
    email: Annotated[str, Form(max_length=254)],
    password: Annotated[str, Form(max_length=1000)],
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    policy = LoginPolicy(settings.login_max_failures, timedelta(minutes=settings.login_window_minutes))
    # The peer's address; behind a proxy named in FREMDRIFT_TRUSTED_PROXIES, uvicorn puts the
    # client's address from X-Forwarded-For here, and trusts the header from no one else.
    client_ip = request.client.host if request.client else "?"
    token = None
    try:
        # Two short write transactions: the attempt counts (as a failure) before its password
        # is checked, and the slow argon2 check runs between them, holding up no save.
        with database.write() as session:
            candidate = begin_login(session, email=email, client_ip=client_ip, now=now, policy=policy)
        try:
            password_ok = verify_password(password, candidate.password_hash)
        except HashingBusy:
            with database.write() as session:
                withdraw_login(session, candidate)
            raise
        with database.write() as session:
            user = finish_login(session, candidate, password_ok=password_ok)
            if user is not None:
                token = start_session(session, user, now=now, lifetime=timedelta(hours=settings.session_hours))
    except LoginThrottled as error:
        context = {"next": safe_next(next), "email": email, "error": error.message}
        return render(request, "pages/login.html", context, status_code=error.status_code)
    except HashingBusy as busy:
        context = {"next": safe_next(next), "email": email, "error": busy.message}
        headers = {"Retry-After": str(busy.retry_after_seconds)}
        return render(request, "pages/login.html", context, status_code=503, headers=headers)
    if token is None:
        context = {"next": safe_next(next), "email": email, "error": LOGIN_FAILED_MESSAGE}
        return render(request, "pages/login.html", context, status_code=401)

    response = RedirectResponse(safe_next(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=settings.session_hours * 3600,
        httponly=True,
        samesite="lax",
        secure=settings.https,
    )
    return response


@router.post("/logout")
def logout(request: Request, database: DatabaseDep) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        with database.write() as session:
            end_session(session, token)
    response = RedirectResponse(path_for(request, "login_form"), status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response
