"""The user's own account, "Glemt adgangskode?", and the single-use links to choose a password."""

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session

from app.deps import (
    ClientIp,
    CurrentUser,
    DatabaseDep,
    LinkPolicyDep,
    MailComposer,
    Now,
    ReadSession,
    SettingsDep,
)
from app.domain.accounts import actor_of, start_session
from app.domain.accounts.links import (
    LinkInvalid,
    checked_link_password,
    choose_password,
    find_valid_link,
    request_reset,
)
from app.domain.accounts.login import active_sessions, is_session
from app.domain.accounts.own import change_password, checked_password_change, sign_out_everywhere
from app.domain.accounts.users import scope_label, user_state
from app.domain.errors import DomainError
from app.domain.overview import overview_for
from app.domain.vocabulary import Role
from app.models import User
from app.security.csrf import SESSION_COOKIE
from app.security.passwords import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH
from app.web.templating import path_for, render

router = APIRouter()

# No length limit here: the domain refuses an over-long password with a Danish message.
Password = Annotated[str, Form()]


def landing_path(request: Request, session: Session, user: User) -> str:
    """Where a user starts after choosing a password: an editor on their municipality's report
    of the newest round, everyone else on the front page."""
    if user.role is Role.EDITOR and user.municipality_code is not None:
        for overview in overview_for(session, actor_of(user)):
            return path_for(request, "report_page", code=user.municipality_code, year=overview.round.year)
    return path_for(request, "home")


def _set_session_cookie(response: Response, token: str, hours: int, https: bool) -> None:
    response.set_cookie(SESSION_COOKIE, token, max_age=hours * 3600, httponly=True, samesite="lax", secure=https)


# ---------------------------------------------------------------------------- Glemt adgangskode?


@router.get("/glemt-adgangskode")
def forgot_page(request: Request) -> Response:
    return render(request, "pages/forgot_password.html", {"email": ""})


@router.post("/glemt-adgangskode")
def forgot(
    request: Request,
    database: DatabaseDep,
    now: Now,
    client_ip: ClientIp,
    policy: LinkPolicyDep,
    composer: MailComposer,
    email: Annotated[str, Form()] = "",
) -> Response:
    try:
        with database.write() as session:
            answer = request_reset(session, email, now=now, client_ip=client_ip, policy=policy, composer=composer)
    except DomainError as error:
        context = {"email": email, "error": error}
        return render(request, "pages/forgot_password.html", context, status_code=error.status_code)
    return render(request, "pages/forgot_password.html", {"email": "", "answer": answer})


# ---------------------------------------------------------------------------- the link in the mail


def _link_page(request: Request, token: str, **context: object) -> Response:
    values = {"token": token, "min_length": MIN_PASSWORD_LENGTH, "max_length": MAX_PASSWORD_LENGTH, **context}
    error = context.get("error")
    status = error.status_code if isinstance(error, DomainError) else 200
    return render(request, "pages/choose_password.html", values, status_code=status)


@router.get("/adgangskode/{token}")
def link_page(request: Request, token: str, session: ReadSession, now: Now) -> Response:
    try:
        found = find_valid_link(session, token[:200], now=now)
    except LinkInvalid as error:
        return _link_page(request, "", link_problem=error.message, error=error)
    return _link_page(request, token, user=found.user, purpose=found.link.purpose)


@router.post("/adgangskode/{token}")
def link_choose(
    request: Request,
    token: str,
    database: DatabaseDep,
    settings: SettingsDep,
    now: Now,
    client_ip: ClientIp,
    password: Password = "",
    password_again: Password = "",
) -> Response:
    token = token[:200]
    try:
        # Hashing takes a fifth of a second: done in a read, never holding the write lock.
        with database.read() as session:
            password_hash = checked_link_password(session, token, password=password, repeated=password_again, now=now)
        with database.write() as session:
            user = choose_password(session, token, password_hash=password_hash, now=now, client_ip=client_ip)
            cookie = start_session(session, user, now=now, lifetime=timedelta(hours=settings.session_hours))
            target = landing_path(request, session, user)
    except LinkInvalid as error:
        return _link_page(request, "", link_problem=error.message, error=error)
    except DomainError as error:
        with database.read() as session:
            found = find_valid_link(session, token, now=now)
        return _link_page(request, token, user=found.user, purpose=found.link.purpose, error=error)
    response = RedirectResponse(target, status_code=303)
    _set_session_cookie(response, cookie, settings.session_hours, settings.https)
    return response


# ---------------------------------------------------------------------------- own account


def _account_page(
    request: Request, session: Session, user: User, now: Now, *, status_code: int = 200, **context: object
) -> Response:
    assert user.id is not None
    cookie = request.cookies.get(SESSION_COOKIE)
    sessions = [(row, is_session(cookie, row)) for row in active_sessions(session, user.id, now=now)]
    values = {
        "account": user,
        "state": user_state(user),
        "scope": scope_label(session, user),
        "sessions": sessions,
        "min_length": MIN_PASSWORD_LENGTH,
        "max_length": MAX_PASSWORD_LENGTH,
        **context,
    }
    return render(request, "pages/account.html", values, status_code=status_code)


@router.get("/konto")
def account_page(request: Request, session: ReadSession, user: CurrentUser, now: Now) -> Response:
    return _account_page(request, session, user, now)


@router.post("/konto/adgangskode")
def account_password(
    request: Request,
    database: DatabaseDep,
    user: CurrentUser,
    now: Now,
    client_ip: ClientIp,
    old_password: Password = "",
    password: Password = "",
    password_again: Password = "",
) -> Response:
    try:
        # Checking the old password and hashing the new take a fifth of a second each: no
        # transaction is open meanwhile.
        password_hash = checked_password_change(user, old=old_password, new=password, repeated=password_again)
        with database.write() as session:
            fresh = session.get(User, user.id)
            assert fresh is not None
            ended = change_password(
                session,
                fresh,
                password_hash=password_hash,
                now=now,
                client_ip=client_ip,
                keep_token=request.cookies.get(SESSION_COOKIE),
            )
    except DomainError as error:
        with database.read() as session:
            return _account_page(request, session, user, now, status_code=error.status_code, error=error)
    notice = "Adgangskoden er ændret." + (f" {ended} andre sessioner er logget ud." if ended else "")
    with database.read() as session:
        return _account_page(request, session, user, now, notice=notice)


@router.post("/konto/log-ud-overalt")
def account_sign_out_everywhere(
    request: Request, database: DatabaseDep, user: CurrentUser, now: Now, client_ip: ClientIp
) -> Response:
    with database.write() as session:
        fresh = session.get(User, user.id)
        assert fresh is not None
        sign_out_everywhere(session, fresh, now=now, client_ip=client_ip)
    response = RedirectResponse(path_for(request, "login_form"), status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response
