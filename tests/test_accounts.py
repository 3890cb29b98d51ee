"""Logging in and out, throttling, the session cookie, and `fremdrift users add`."""

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx2 import Response
from sqlalchemy import func
from sqlmodel import col, select
from typer.testing import CliRunner

from app.cli import app as cli
from app.config import Settings, get_settings
from app.db import Database
from app.domain.accounts import (
    ADDRESS_FACTOR,
    LoginPolicy,
    LoginThrottled,
    authenticate,
    begin_login,
    finish_login,
)
from app.domain.vocabulary import Role
from app.main import create_app
from app.models import Kkr, LoginAttempt, User, UserSession
from app.security.csrf import SESSION_COOKIE
from app.security.passwords import verify_password
from tests.factories import ALLEROED, PASSWORD, make_round
from tests.scenarios import Browser, Req, changed_tables, open_browser, quick_user, snapshot

PAGE = f"/kommuner/{ALLEROED}/2025"


@pytest.fixture
def editor(db: Database) -> User:
    make_round(db)
    return quick_user(db, Role.EDITOR, municipality_code=ALLEROED, name="Jette Jobcenterchef")


def log_in(browser: Browser, email: str, password: str, next_url: str | None = None) -> Response:
    form = {"email": email, "password": password}
    if next_url is not None:
        form["next"] = next_url
    return browser.send(Req.of_form("/login", form), csrf="field", htmx=False)


def session_cookie_header(response: Response) -> str:
    headers = response.headers.get_list("set-cookie")
    found = [header for header in headers if header.startswith(f"{SESSION_COOKIE}=")]
    assert found, headers
    return found[0]


def count(db: Database, model: type) -> int:
    with db.read() as session:
        return session.exec(select(func.count()).select_from(model)).one()


# ---------------------------------------------------------------------------- log in


def test_editor_logs_in_with_the_right_password_and_lands_where_they_were_going(
    app: FastAPI, db: Database, editor: User
) -> None:
    browser = open_browser(app, db)
    form = browser.client.get(f"/login?next={PAGE}").text
    assert f'name="next" value="{PAGE}"' in form
    response = log_in(browser, f"  {editor.email.upper()} ", PASSWORD, PAGE)  # as typed on a phone
    assert response.status_code == 303
    assert response.headers["location"] == PAGE
    page = browser.client.get(PAGE)
    assert page.status_code == 200
    assert "Jette Jobcenterchef" in page.text
    assert "Log ud" in page.text


def test_wrong_password_is_refused_with_a_message(app: FastAPI, db: Database, editor: User) -> None:
    browser = open_browser(app, db)
    for email in (editor.email, "ukendt@example.dk"):
        response = log_in(browser, email, "forkert-kodeord")
        assert response.status_code == 401
        assert "Forkert e-mail eller adgangskode." in response.text
        assert f'value="{email}"' in response.text  # the e-mail is kept
        assert SESSION_COOKIE not in browser.client.cookies
    assert count(db, UserSession) == 0
    assert browser.client.get(PAGE, follow_redirects=False).status_code == 303


def test_login_is_throttled_after_too_many_failures(settings: Settings, db: Database, editor: User) -> None:
    app = create_app(settings.model_copy(update={"login_max_failures": 3, "login_window_minutes": 15}), db)
    browser = open_browser(app, db)
    for _ in range(3):
        assert log_in(browser, editor.email, "forkert-kodeord").status_code == 401

    # Inside the window even the right password is refused, with a message that says why.
    refused = log_in(browser, editor.email, PASSWORD)
    assert refused.status_code == 429
    assert "For mange mislykkede forsøg. Vent 15 minutter, og prøv igen." in refused.text
    assert SESSION_COOKIE not in browser.client.cookies
    assert count(db, UserSession) == 0

    # Another account is not held back by someone guessing at this one.
    colleague = quick_user(db, Role.EDITOR, municipality_code=ALLEROED, email="kollega@example.dk")
    assert log_in(open_browser(app, db), colleague.email, PASSWORD).status_code == 303

    # Once the window has passed, the right password works again.
    later = datetime.now(UTC) + timedelta(minutes=16)
    policy = LoginPolicy(3, timedelta(minutes=15))
    with db.write() as session:
        user = authenticate(session, email=editor.email, password=PASSWORD, client_ip="t", now=later, policy=policy)
    assert user is not None and user.id == editor.id


def test_disabled_user_cannot_log_in_and_loses_open_sessions(app: FastAPI, db: Database, editor: User) -> None:
    logged_in = open_browser(app, db, editor)
    with db.write() as session:
        user = session.get(User, editor.id)
        assert user is not None
        user.is_active = False
        session.add(user)
    assert logged_in.client.get(PAGE, follow_redirects=False).status_code == 303
    assert log_in(open_browser(app, db), editor.email, PASSWORD).status_code == 401


# ---------------------------------------------------------------------------- log out


def test_logout_kills_the_session_on_the_server(app: FastAPI, db: Database, editor: User) -> None:
    browser = open_browser(app, db)
    log_in(browser, editor.email, PASSWORD)
    browser.token = browser.client.get("/api/me").json()["csrf_token"]
    old_cookie = browser.client.cookies[SESSION_COOKIE]
    assert count(db, UserSession) == 1

    response = browser.send(Req.of_form("/logout"), htmx=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login"
    assert count(db, UserSession) == 0

    # Someone who kept a copy of the old cookie gets nothing with it.
    thief = TestClient(app)
    thief.cookies.set(SESSION_COOKIE, old_cookie)
    assert thief.get(PAGE, follow_redirects=False).status_code == 303
    assert thief.get("/api/me").status_code == 401


# ---------------------------------------------------------------------------- the cookie


def test_session_cookie_is_httponly_and_samesite(app: FastAPI, db: Database, editor: User) -> None:
    browser = open_browser(app, db)
    response = log_in(browser, editor.email, PASSWORD)
    cookie = session_cookie_header(response).lower()
    assert "httponly" in cookie
    assert "samesite=lax" in cookie
    assert "secure" not in cookie  # plain http in development
    assert "path=/" in cookie


def test_cookies_are_secure_when_served_over_https(settings: Settings, db: Database, editor: User) -> None:
    app = create_app(settings.model_copy(update={"https": True}), db)
    client = TestClient(app, base_url="https://testserver")
    first = client.get("/login")
    assert "secure" in first.headers["set-cookie"].lower()  # the pre-session cookie
    assert first.headers["strict-transport-security"].startswith("max-age=")
    browser = Browser(client, first.text.split('name="csrf_token" value="')[1].split('"')[0])
    response = log_in(browser, editor.email, PASSWORD)
    assert response.status_code == 303
    cookie = session_cookie_header(response).lower()
    assert "secure" in cookie and "httponly" in cookie and "samesite=lax" in cookie


# ---------------------------------------------------------------------------- next=


EVIL_TARGETS = [
    "https://evil.example/",
    "//evil.example/",
    "/\\evil.example/",
    "\\\\evil.example",
    "javascript:alert(1)",
    " //evil.example",
    "http:/evil.example",
    "/%2F%2Fevil.example",
]


def _stays_on_site(location: str) -> bool:
    """A browser goes nowhere else: a path, not "//host" and not "/\\host" (read as "//host")."""
    return location.startswith("/") and not location.startswith("//") and "\\" not in location and ":" not in location


def test_next_cannot_send_the_user_to_another_site(app: FastAPI, db: Database, editor: User) -> None:
    anonymous = open_browser(app, db)
    for target in EVIL_TARGETS:
        form = anonymous.client.get("/login", params={"next": target}).text
        hidden = form.split('name="next" value="')[1].split('"')[0]
        assert hidden.startswith("/") and not hidden.startswith("//") and ":" not in hidden, (target, hidden)

    for target in ("//evil.example/", "/\\evil.example/"):
        response = log_in(open_browser(app, db), editor.email, PASSWORD, target)
        assert response.status_code == 303
        assert _stays_on_site(response.headers["location"]), (target, response.headers["location"])

    logged_in = open_browser(app, db, editor)
    for target in EVIL_TARGETS:
        redirect = logged_in.client.get("/login", params={"next": target}, follow_redirects=False)
        assert redirect.status_code == 303
        assert _stays_on_site(redirect.headers["location"]), (target, redirect.headers["location"])


# ---------------------------------------------------------------------------- fremdrift users add


@pytest.fixture
def cli_database(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("DATABASE_URL", database_url)
    get_settings.cache_clear()
    yield database_url
    get_settings.cache_clear()


def run_cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def test_users_add_creates_a_user_with_role_and_scope(cli_database: str, db: Database) -> None:
    code, output = run_cli(
        "users", "add", "Jette@Allerod.example", "--role", "editor", "--municipality", "201",
        "--name", "Jette", "--password", "langt-kodeord-1",
    )  # fmt: skip
    assert code == 0, output
    assert "Oprettet: jette@allerod.example (Redaktør i kommunen)." in output
    code, output = run_cli(
        "users", "add", "kirsten@kkr.example", "--role", "coordinator", "--kkr", "KKR Hovedstaden",
        "--password", "langt-kodeord-2",
    )  # fmt: skip
    assert code == 0, output
    with db.read() as session:
        jette = session.exec(select(User).where(User.email == "jette@allerod.example")).one()
        kirsten = session.exec(select(User).where(User.email == "kirsten@kkr.example")).one()
        hovedstaden = session.exec(select(Kkr).where(Kkr.name == "KKR Hovedstaden")).one()
    assert (jette.role, jette.municipality_code, jette.kkr_id, jette.name) == ("editor", 201, None, "Jette")
    assert verify_password("langt-kodeord-1", jette.password_hash)
    assert jette.password_hash is not None and not jette.password_hash.startswith("langt")
    assert (kirsten.role, kirsten.kkr_id, kirsten.municipality_code) == ("coordinator", hovedstaden.id, None)


BAD_SCOPES = [
    (["--role", "editor", "--municipality", "999"], "En redaktør skal knyttes til en kendt kommune"),
    (["--role", "editor"], "En redaktør skal knyttes til en kendt kommune"),
    (["--role", "editor", "--municipality", "201", "--kkr", "KKR Hovedstaden"], "Kun en KKR-koordinator"),
    (["--role", "coordinator"], "En KKR-koordinator skal knyttes til en kendt KKR"),
    (["--role", "coordinator", "--kkr", "KKR Atlantis"], "En KKR-koordinator skal knyttes til en kendt KKR"),
    (["--role", "reader", "--municipality", "201"], "Kun en redaktør knyttes til en kommune"),
    (["--role", "admin", "--kkr", "KKR Hovedstaden"], "Kun en KKR-koordinator eller en læser knyttes til en KKR"),
    (["--role", "editor", "--municipality", "201", "--password", "kort"], "mindst 12 tegn"),
    (["--role", "superuser"], "superuser"),
]


def test_users_add_refuses_a_bad_scope(cli_database: str, db: Database) -> None:
    for arguments, message in BAD_SCOPES:
        password = [] if "--password" in arguments else ["--password", "langt-kodeord-1"]
        before = snapshot(db)
        code, output = run_cli("users", "add", "ny@example.dk", *arguments, *password)
        assert code != 0, arguments
        assert message in output, (arguments, output)
        assert changed_tables(before, snapshot(db)) == [], arguments


def test_users_add_refuses_an_email_already_in_use(cli_database: str, db: Database) -> None:
    assert run_cli("users", "add", "ny@example.dk", "--role", "reader", "--password", "langt-kodeord-1")[0] == 0
    code, output = run_cli("users", "add", "NY@example.dk", "--role", "admin", "--password", "langt-kodeord-1")
    assert code == 1
    assert "Der findes allerede en bruger med e-mailen ny@example.dk" in output
    assert count(db, User) == 1
    assert count(db, LoginAttempt) == 0


def test_guessing_from_one_address_does_not_lock_the_user_out_elsewhere(db: Database, editor: User) -> None:
    policy = LoginPolicy(max_failures=3, window=timedelta(minutes=15))
    now = datetime(2026, 1, 20, 9, 0, tzinfo=UTC)
    with db.write() as session:
        for _ in range(3):
            assert (
                authenticate(
                    session, email=editor.email, password="gæt", client_ip="203.0.113.9", now=now, policy=policy
                )
                is None
            )
    with db.write() as session, pytest.raises(LoginThrottled):
        authenticate(session, email=editor.email, password=PASSWORD, client_ip="203.0.113.9", now=now, policy=policy)
    # The editor at their own desk still gets in.
    with db.write() as session:
        assert authenticate(
            session, email=editor.email, password=PASSWORD, client_ip="10.1.2.3", now=now, policy=policy
        )


def test_one_address_cannot_try_password_after_password_across_accounts(db: Database, editor: User) -> None:
    policy = LoginPolicy(max_failures=2, window=timedelta(minutes=15))
    now = datetime(2026, 1, 20, 9, 0, tzinfo=UTC)
    with db.write() as session:
        for number in range(2 * ADDRESS_FACTOR):
            email = f"gaet{number}@example.dk"
            assert (
                authenticate(session, email=email, password="gæt", client_ip="203.0.113.9", now=now, policy=policy)
                is None
            )
    with db.write() as session, pytest.raises(LoginThrottled):
        authenticate(session, email=editor.email, password=PASSWORD, client_ip="203.0.113.9", now=now, policy=policy)


def burst_of_wrong_log_ins(db: Database, emails: list[str], client_ip: str, policy: LoginPolicy, now: datetime) -> int:
    """One wrong log-in per e-mail, all at once, each in the route's steps and transactions;
    how many were let through to the password check (left out: every password here is wrong).

    Every attempt is past ``begin_login`` (or refused there) before any goes on to
    ``finish_login``: the widest window a burst can have."""
    started = threading.Barrier(len(emails), timeout=30)
    decided = threading.Barrier(len(emails), timeout=30)
    checked: list[str] = []
    errors: list[BaseException] = []

    def attempt(email: str) -> None:
        try:
            started.wait()
            try:
                with db.write() as session:
                    candidate = begin_login(session, email=email, client_ip=client_ip, now=now, policy=policy)
            except LoginThrottled:
                decided.wait()
                return
            checked.append(email)
            decided.wait()
            with db.write() as session:
                finish_login(session, candidate, password_ok=False)
        except LoginThrottled:
            pass  # refused at the last step, but the guess had been checked all the same
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=attempt, args=(email,)) for email in emails]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    return len(checked)


@pytest.mark.parametrize("many_emails", [False, True], ids=["one-email", "many-emails"])
def test_a_burst_of_wrong_log_ins_gets_no_more_guesses_than_the_limit(
    db: Database, editor: User, many_emails: bool
) -> None:
    policy = LoginPolicy(max_failures=3, window=timedelta(minutes=15))
    now = datetime(2026, 1, 20, 9, 0, tzinfo=UTC)
    # One e-mail: the limit per e-mail and address. Many: the limit per address.
    limit = policy.max_failures * ADDRESS_FACTOR if many_emails else policy.max_failures
    emails = [f"gaet{number}@example.dk" for number in range(limit + 6)] if many_emails else [editor.email] * 9
    assert burst_of_wrong_log_ins(db, emails, "203.0.113.9", policy, now) == limit
    with db.read() as session:
        failures = session.exec(
            select(func.count()).select_from(LoginAttempt).where(col(LoginAttempt.succeeded).is_(False))
        )
        assert failures.one() == limit
    # And after the burst even the right password is refused.
    with db.write() as session, pytest.raises(LoginThrottled):
        authenticate(session, email=editor.email, password=PASSWORD, client_ip="203.0.113.9", now=now, policy=policy)
