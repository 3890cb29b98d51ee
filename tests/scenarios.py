"""A small reporting world for the access, CSRF, concurrency and rule tests.

One open round for KKR Hovedstaden (2025) with:
- Allerød's report in progress, every SKAL row green, so it could be submitted at once;
- Frederiksberg's report submitted;
- København's report not started;
and a user of every role, each of whom can open a browser (a TestClient with a live session).
"""

from dataclasses import dataclass, field
from datetime import timedelta
from functools import cache
from typing import Any
from unittest import mock

from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx2 import Response
from sqlmodel import col, select

from app.db import Database
from app.domain.accounts import actor_of, start_session
from app.domain.reports.commands import EntryInput, save_entry, submit_report
from app.domain.vocabulary import Role
from app.models import Recommendation, ReportingRound, StatusChange, StatusEntry, StatusReport, User
from app.security.csrf import CSRF_FIELD, CSRF_HEADER, SESSION_COOKIE
from app.security.passwords import hash_password
from tests.dump import dump_database
from tests.factories import (
    ALBERTSLUND,
    ALLEROED,
    HOVEDSTADEN,
    KOEBENHAVN,
    NOW,
    csrf_token,
    entries_by_key,
    make_round,
    make_user,
    start,
)

FREDERIKSBERG = 147
MIDTJYLLAND = "KKR Midtjylland"
YEAR = 2025
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@cache
def _password_hash(password: str) -> str:
    return hash_password(password)


def quick_user(db: Database, role: Role, **kwargs: Any) -> User:
    """``make_user`` without paying for a fresh argon2 hash (0.1 s) for every user."""
    with mock.patch("app.domain.accounts.users.hash_password", _password_hash):
        return make_user(db, role, **kwargs)


# ---------------------------------------------------------------------------- requests


@dataclass(frozen=True)
class Req:
    """A request as a browser or a script would send it: a form (HTMX) or JSON (the API)."""

    method: str
    url: str
    form: dict[str, Any] | None = None
    json: dict[str, Any] | None = None
    files: dict[str, tuple[str, bytes, str]] | None = None  # a file upload (multipart)

    @classmethod
    def of_form(cls, url: str, form: dict[str, Any] | None = None, method: str = "POST") -> "Req":
        return cls(method, url, form=form or {})

    @classmethod
    def of_json(cls, method: str, url: str, body: dict[str, Any]) -> "Req":
        return cls(method, url, json=body)


def row_save(entry_id: int | None, version: int, *, colour: str = "", remark: str = "", **fields: Any) -> Req:
    """A row's save as the page's form sends it (HTMX): the one way tests build it."""
    return Req.of_form(f"/raekker/{entry_id}", {"colour": colour, "remark": remark, "version": version, **fields})


def row_save_api(entry_id: int | None, version: int, **body: Any) -> Req:
    """The same save through the API."""
    return Req.of_json("PUT", f"/api/entries/{entry_id}", {"version": version, **body})


HEADER = "header"
FORM_FIELD = "field"


@dataclass
class Browser:
    """One logged-in browser (or an anonymous one when ``user`` is None)."""

    client: TestClient
    token: str
    user: User | None = None

    @property
    def session_cookie(self) -> str | None:
        value: str | None = self.client.cookies.get(SESSION_COOKIE)
        return value

    def send(self, req: Req, *, csrf: str | None = HEADER, htmx: bool = True, **kwargs: Any) -> Response:
        """Send ``req``. ``csrf`` is HEADER or FORM_FIELD (this browser's token), None (no token)
        or any other string (sent in the header as it is)."""
        headers: dict[str, str] = dict(kwargs.pop("headers", {}))
        if htmx and req.form is not None:
            headers["HX-Request"] = "true"
        form = dict(req.form) if req.form is not None else None
        if csrf == HEADER:
            headers[CSRF_HEADER] = self.token
        elif csrf == FORM_FIELD:
            assert form is not None, "a JSON request carries its token in the header"
            form[CSRF_FIELD] = self.token
        elif csrf is not None:
            headers[CSRF_HEADER] = csrf
        response: Response = self.client.request(
            req.method,
            req.url,
            data=form,
            json=req.json,
            files=req.files,
            headers=headers,
            follow_redirects=False,
            **kwargs,
        )
        return response


def open_browser(app: FastAPI, db: Database, user: User | None = None) -> Browser:
    """A browser with a session for ``user`` (made by the domain, skipping the slow password check)."""
    client = TestClient(app)
    if user is not None:
        with db.write() as session:
            token = start_session(session, user, now=NOW, lifetime=timedelta(days=3650))
        client.cookies.set(SESSION_COOKIE, token)
    return Browser(client, csrf_token(client), user)


# ---------------------------------------------------------------------------- the world


@dataclass
class World:
    app: FastAPI
    db: Database
    round: ReportingRound
    editor: User  # Allerød
    colleague: User  # a second editor in Allerød
    other_editor: User  # Albertslund
    frederiksberg_editor: User
    copenhagen_editor: User
    coordinator: User  # KKR Hovedstaden
    far_coordinator: User  # KKR Midtjylland
    reader: User
    admin: User
    report: StatusReport  # Allerød, in progress, ready to submit
    submitted: StatusReport  # Frederiksberg, submitted
    _browsers: dict[int, Browser] = field(default_factory=dict)

    def browser(self, user: User) -> Browser:
        assert user.id is not None
        if user.id not in self._browsers:
            self._browsers[user.id] = open_browser(self.app, self.db, user)
        return self._browsers[user.id]

    def entry(self, key: str, report: StatusReport | None = None) -> StatusEntry:
        report = report or self.report
        assert report.id is not None
        with self.db.read() as session:
            return entries_by_key(session, report.id)[key]

    def fresh_report(self, report: StatusReport | None = None) -> StatusReport:
        report = report or self.report
        with self.db.read() as session:
            found = session.get(StatusReport, report.id)
            assert found is not None
            return found


def fill_skal_rows_green(db: Database, user: User, report: StatusReport) -> None:
    """Every SKAL row green with a remark, through the same save the page uses."""
    with db.write() as session:
        skal_rows = session.exec(
            select(StatusEntry)
            .join(Recommendation, col(Recommendation.id) == StatusEntry.recommendation_id)
            .where(StatusEntry.report_id == report.id)
            .where(Recommendation.kind == "skal")
        ).all()
        for entry in skal_rows:
            assert entry.id is not None
            data = EntryInput("green", "Som anbefalet.", False, "", entry.version)
            save_entry(session, actor_of(user), entry.id, data, now=NOW)


def build_world(app: FastAPI, db: Database) -> World:
    reporting_round = make_round(db, YEAR)
    editor = quick_user(db, Role.EDITOR, municipality_code=ALLEROED, name="Jette Jobcenterchef")
    colleague = quick_user(
        db, Role.EDITOR, municipality_code=ALLEROED, email="kollega-201@example.dk", name="Karl Kollega"
    )
    other_editor = quick_user(db, Role.EDITOR, municipality_code=ALBERTSLUND, name="Anders Albertslund")
    frederiksberg_editor = quick_user(db, Role.EDITOR, municipality_code=FREDERIKSBERG, name="Frida Frederiksberg")
    copenhagen_editor = quick_user(db, Role.EDITOR, municipality_code=KOEBENHAVN, name="Kim København")
    coordinator = quick_user(db, Role.COORDINATOR, kkr=HOVEDSTADEN, name="Kirsten Koordinator")
    far_coordinator = quick_user(db, Role.COORDINATOR, kkr=MIDTJYLLAND, name="Mads Midtjylland")
    reader = quick_user(db, Role.READER, name="Lise Læser")
    admin = quick_user(db, Role.ADMIN, name="Ada Admin")

    report = start(db, editor, ALLEROED, YEAR)
    fill_skal_rows_green(db, editor, report)
    submitted = start(db, frederiksberg_editor, FREDERIKSBERG, YEAR)
    fill_skal_rows_green(db, frederiksberg_editor, submitted)
    assert submitted.id is not None
    with db.write() as session:
        submit_report(session, actor_of(frederiksberg_editor), submitted.id, now=NOW)
    return World(
        app=app,
        db=db,
        round=reporting_round,
        editor=editor,
        colleague=colleague,
        other_editor=other_editor,
        frederiksberg_editor=frederiksberg_editor,
        copenhagen_editor=copenhagen_editor,
        coordinator=coordinator,
        far_coordinator=far_coordinator,
        reader=reader,
        admin=admin,
        report=report,
        submitted=submitted,
    )


# ---------------------------------------------------------------------------- checks


def snapshot(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, so a test can show that a refused request changed nothing."""
    return dump_database(db)


def changed_tables(before: dict[str, list[tuple[Any, ...]]], after: dict[str, list[tuple[Any, ...]]]) -> list[str]:
    return [name for name in before if before[name] != after.get(name)]


def unsafe_routes(app: FastAPI) -> set[tuple[str, str]]:
    """Every (method, path) of the app that can change something, found by walking its routes."""
    try:
        from fastapi.routing import iter_route_contexts

        routes: list[Any] = list(iter_route_contexts(app.routes))
    except ImportError:  # older FastAPI keeps included routes flat in app.routes
        routes = list(app.routes)
    found = set()
    for route in routes:
        methods = getattr(route, "methods", None) or set()
        for method in set(methods) & UNSAFE_METHODS:
            found.add((method, route.path))
    return found


def remark_history(db: Database, entry_id: int) -> list[str | None]:
    """The remarks a row has been given, oldest first."""
    with db.read() as session:
        rows = session.exec(
            select(StatusChange.new_value)
            .where(StatusChange.entry_id == entry_id)
            .where(StatusChange.field == "remark")
            .order_by(col(StatusChange.version))
        )
        return list(rows)
