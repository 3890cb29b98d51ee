"""The coordinator's follow-up overview, on a round of all 29 Hovedstaden municipalities."""

import re
from datetime import date, timedelta

import pytest
from fastapi import FastAPI

from app.db import Database
from app.deps import now as now_dependency
from app.domain.accounts import actor_of
from app.domain.errors import InvalidInput, NotFound
from app.domain.reports.commands import submit_report
from app.domain.rounds.followup import follow_up
from app.domain.rounds.lifecycle import close_round
from app.domain.vocabulary import FollowUpState, Role, RoundState
from tests.factories import ALLEROED, NOW, make_round, start
from tests.round_world import PLAN, FullRound, build_full_round, fill
from tests.scenarios import MIDTJYLLAND, open_browser, quick_user


@pytest.fixture
def full(db: Database) -> FullRound:
    return build_full_round(db)


def overview_of(db: Database, full: FullRound, **kwargs: object):  # type: ignore[no-untyped-def]
    assert full.round.id is not None
    with db.read() as session:
        return follow_up(session, actor_of(full.coordinator), full.round.id, now=NOW, **kwargs)  # type: ignore[arg-type]


def test_every_state_and_count_of_a_29_municipality_round(db: Database, full: FullRound) -> None:
    overview = overview_of(db, full)

    assert overview.total == 29
    assert overview.counts == PLAN
    assert overview.submitted == 5 + 4 + 2  # submitted, approved, dealt with by the council
    assert {row.municipality.code: row.state for row in overview.rows} == full.states
    for row in overview.rows:
        assert row.total == 16, row.municipality.name
        assert row.filled == full.filled[row.municipality.code], row.municipality.name
        assert row.unconfirmed == 0
        if row.state is FollowUpState.NOT_STARTED:
            assert (row.report_id, row.last_activity, row.submitted_at) == (None, None, None)
        else:
            assert row.last_activity is not None
        if row.state in (FollowUpState.SUBMITTED, FollowUpState.APPROVED, FollowUpState.COMMITTEE):
            assert row.submitted_at is not None
            assert row.submitted_by == f"Redaktør {row.municipality.name}"
        else:
            assert row.submitted_at is None  # sent back: no longer submitted
    names = [row.municipality.name for row in overview.rows]
    assert names[0] == "Albertslund" and names[-1] == "Vallensbæk"  # Danish order
    assert overview.days_to_deadline == (date(2026, 2, 28) - date(2026, 1, 20)).days


def test_the_overview_filters_by_state_and_sorts(db: Database, full: FullRound) -> None:
    sent_back = overview_of(db, full, state=FollowUpState.SENT_BACK)
    assert [row.state for row in sent_back.rows] == [FollowUpState.SENT_BACK] * 3
    assert sent_back.counts == PLAN  # the counts stay those of the whole round

    by_filled = overview_of(db, full, sort="filled")
    shares = [row.filled / row.total for row in by_filled.rows]
    assert shares == sorted(shares)
    by_state = overview_of(db, full, sort="state")
    assert by_state.rows[0].state is FollowUpState.NOT_STARTED
    assert by_state.rows[-1].state is FollowUpState.COMMITTEE

    with pytest.raises(InvalidInput, match="Ukendt sortering"):
        overview_of(db, full, sort="drop table")


def test_the_overview_page_shows_n_of_m_and_every_municipality(app: FastAPI, db: Database, full: FullRound) -> None:
    browser = open_browser(app, db, full.coordinator)

    html = browser.client.get(f"/runder/{full.round.id}").text

    assert "11 af 29 indsendt" in html
    assert len(re.findall(r'<tr id="kommune-\d+">', html)) == 29
    for state, count in PLAN.items():
        assert f"{state.label} ({count})" in html
    assert "Politisk behandlet" in html and "Sendt tilbage" in html
    assert "16 af 16" in html
    filtered = browser.client.get(f"/runder/{full.round.id}?state=sent_back").text
    assert len(re.findall(r'<tr id="kommune-\d+">', filtered)) == 3
    assert browser.client.get(f"/runder/{full.round.id}?state=unknown").status_code == 422


def test_the_api_returns_the_same_states_and_counts(app: FastAPI, db: Database, full: FullRound) -> None:
    browser = open_browser(app, db, full.coordinator)

    body = browser.client.get(f"/api/rounds/{full.round.id}/follow-up").json()

    assert body["submitted"] == 11 and body["total"] == 29
    assert body["counts"] == {state.value: count for state, count in PLAN.items()}
    by_code = {row["municipality_code"]: row for row in body["municipalities"]}
    assert {code: row["state"] for code, row in by_code.items()} == {c: s.value for c, s in full.states.items()}
    only = browser.client.get(f"/api/rounds/{full.round.id}/follow-up?state=approved").json()
    assert [row["state"] for row in only["municipalities"]] == ["approved"] * 4


def test_another_kkrs_coordinator_and_editors_cannot_see_the_overview(
    app: FastAPI, db: Database, full: FullRound
) -> None:
    far = quick_user(db, Role.COORDINATOR, kkr=MIDTJYLLAND, email="far@example.dk")
    for user in (far, full.editors[ALLEROED]):
        browser = open_browser(app, db, user)
        assert browser.client.get(f"/runder/{full.round.id}").status_code == 404
        assert browser.client.get(f"/api/rounds/{full.round.id}/follow-up").status_code == 404
        rounds = browser.client.get("/api/rounds")
        assert rounds.status_code == (200 if user is far else 404)
        assert "Hovedstaden" not in rounds.text
        assert browser.client.get("/runder").status_code == (200 if user is far else 404)
    with db.read() as session, pytest.raises(NotFound):
        follow_up(session, actor_of(far), full.round.id or 0, now=NOW)


def test_unconfirmed_rows_carried_over_are_counted(db: Database) -> None:
    coordinator = quick_user(db, Role.COORDINATOR)
    editor = quick_user(db, Role.EDITOR, municipality_code=ALLEROED)
    last_year = make_round(db, 2024)
    report = start(db, editor, ALLEROED, 2024)
    fill(db, editor, report)
    with db.write() as session:
        submit_report(session, actor_of(editor), report.id or 0, now=NOW)
        close_round(session, None, last_year.id or 0, now=NOW)
    this_year = make_round(db, 2025)
    start(db, editor, ALLEROED, 2025, carry_over=True)

    with db.read() as session:
        overview = follow_up(session, actor_of(coordinator), this_year.id or 0, now=NOW)
    row = next(row for row in overview.rows if row.municipality.code == ALLEROED)
    assert (row.state, row.filled, row.unconfirmed) == (FollowUpState.IN_PROGRESS, 16, 16)


def test_days_overdue_after_the_deadline(app: FastAPI, db: Database) -> None:
    coordinator = quick_user(db, Role.COORDINATOR)
    reporting_round = make_round(db, 2025, state=RoundState.OPEN)
    with db.read() as session:
        late = follow_up(session, actor_of(coordinator), reporting_round.id or 0, now=NOW + timedelta(days=42))
    assert late.days_to_deadline == -3  # 20 January + 42 days = 3 March; deadline 28 February
    browser = open_browser(app, db, coordinator)
    app.dependency_overrides[now_dependency] = lambda: NOW + timedelta(days=42)
    html = browser.client.get(f"/runder/{reporting_round.id}").text
    app.dependency_overrides.clear()
    assert "3 dage over fristen" in html


def test_a_planned_round_is_invisible_to_municipalities(app: FastAPI, db: Database) -> None:
    editor = quick_user(db, Role.EDITOR, municipality_code=ALLEROED)
    make_round(db, 2026, state=RoundState.PLANNED)
    browser = open_browser(app, db, editor)

    assert browser.client.get(f"/kommuner/{ALLEROED}/2026").status_code == 404
    assert browser.client.get(f"/api/reports/{ALLEROED}/2026").status_code == 404
    assert "2026" not in browser.client.get("/").text
