"""Helpers that build data the way the product does: through the domain functions."""

import re
from datetime import UTC, date, datetime

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.db import Database
from app.domain.accounts import actor_of, create_user
from app.domain.reports.commands import start_report
from app.domain.rounds import create_round
from app.domain.vocabulary import Role, RoundState
from app.models import ReportingRound, StatusEntry, StatusReport, User

NOW = datetime(2026, 1, 20, 9, 30, tzinfo=UTC)
PASSWORD = "korrekt-hest-batteri"
HOVEDSTADEN = "KKR Hovedstaden"
CATALOGUE = "kkr-hovedstaden-2015"
ALLEROED = 201
ALBERTSLUND = 165
KOEBENHAVN = 101
AARHUS = 751  # KKR Midtjylland


def make_user(
    db: Database,
    role: Role,
    *,
    email: str | None = None,
    name: str | None = None,
    municipality_code: int | None = None,
    kkr: str | None = None,
) -> User:
    if role is Role.EDITOR and municipality_code is None:
        municipality_code = ALLEROED
    if role is Role.COORDINATOR and kkr is None:
        kkr = HOVEDSTADEN
    email = email or f"{role.value}-{municipality_code or kkr or 'x'}@example.dk".replace(" ", "-").lower()
    with db.write() as session:
        return create_user(
            session,
            email=email,
            name=name or email.split("@")[0],
            role=role,
            password=PASSWORD,
            now=NOW,
            kkr_name=kkr,
            municipality_code=municipality_code,
        )


def make_round(
    db: Database, year: int = 2025, *, state: RoundState = RoundState.OPEN, kkr: str = HOVEDSTADEN
) -> ReportingRound:
    with db.write() as session:
        return create_round(
            session,
            kkr_name=kkr,
            catalogue_key=CATALOGUE,
            year=year,
            opens_on=date(year + 1, 1, 2),
            deadline=date(year + 1, 2, 28),
            state=state,
            now=NOW,
        )


def start(db: Database, user: User, code: int, year: int = 2025, *, carry_over: bool = False) -> StatusReport:
    with db.write() as session:
        return start_report(session, actor_of(user), code, year, carry_over=carry_over, now=NOW)


def entries_by_key(session: Session, report_id: int) -> dict[str, StatusEntry]:
    from app.models import Recommendation

    rows = session.exec(
        select(StatusEntry, Recommendation.key)
        .join(Recommendation, Recommendation.id == StatusEntry.recommendation_id)  # type: ignore[arg-type]
        .where(StatusEntry.report_id == report_id)
    )
    return {key: entry for entry, key in rows}


def entry(db: Database, report_id: int, key: str) -> StatusEntry:
    with db.read() as session:
        return entries_by_key(session, report_id)[key]


def set_round_state(db: Database, round_id: int, state: RoundState) -> None:
    with db.write() as session:
        reporting_round = session.get(ReportingRound, round_id)
        assert reporting_round is not None
        reporting_round.state = state
        session.add(reporting_round)


CSRF_PATTERN = re.compile(r'"X-CSRF-Token": "([^"]+)"')


def csrf_token(client: TestClient) -> str:
    """The CSRF token as a browser would find it: in the page the app served."""
    page = client.get("/katalog")
    found = CSRF_PATTERN.search(page.text)
    assert found, "no CSRF token in the page"
    return found.group(1)


def login(client: TestClient, user: User, password: str = PASSWORD) -> str:
    """Log in through the form; returns the CSRF token for the new session."""
    response = client.post(
        "/login",
        data={"email": user.email, "password": password, "csrf_token": csrf_token(client)},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return csrf_token(client)
