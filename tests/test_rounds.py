"""A round's life: create (with the catalogue edition in force), open, close, reopen; on the
coordinator's pages, in the API and with `fremdrift rounds`."""

import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from fastapi import FastAPI
from sqlmodel import select
from typer.testing import CliRunner

from app.cli import app as cli
from app.config import get_settings
from app.db import Database
from app.deps import now as now_dependency
from app.domain.accounts import actor_of
from app.domain.catalogue import load_catalogue
from app.domain.catalogue_file import parse_catalogue_file
from app.domain.errors import InvalidInput, NotAllowedNow, NotFound
from app.domain.municipalities import find_kkr
from app.domain.rounds.lifecycle import (
    RoundInput,
    close_round,
    edition_choices,
    get_round_by_id,
    open_round,
    plan_round,
    proposed_year,
    reopen_round,
    set_reminder_schedule,
)
from app.domain.rounds.timeline import latest_comment, report_timeline
from app.domain.vocabulary import ReportState, Role, RoundState
from app.models import Reminder, ReportingRound
from tests.factories import ALLEROED, KOEBENHAVN, NOW, make_round, start
from tests.scenarios import MIDTJYLLAND, YEAR, Browser, Req, World, changed_tables, open_browser, quick_user, snapshot

FIXTURES = Path(__file__).parent / "fixtures" / "catalogues"


def load(db: Database, name: str) -> None:
    with db.write() as session:
        load_catalogue(session, parse_catalogue_file(FIXTURES / name), now=NOW)


def hovedstaden_id(db: Database) -> int:
    with db.read() as session:
        kkr = find_kkr(session, "KKR Hovedstaden")
        assert kkr is not None and kkr.id is not None
        return kkr.id


def new_round(browser: Browser, db: Database, **values: str) -> tuple[int, str]:
    form = {
        "kkr_id": str(hovedstaden_id(db)),
        "year": "2027",
        "catalogue": "",
        "opens_on": "2028-01-03",
        "deadline": "2028-02-28",
        "reminder_days": "14, 3, -1",
    } | values
    response = browser.send(Req.of_form("/runder", form), htmx=False)
    return response.status_code, response.headers.get("location", response.text)


def round_of(db: Database, year: int) -> ReportingRound:
    with db.read() as session:
        return session.exec(select(ReportingRound).where(ReportingRound.year == year)).one()


def test_the_edition_whose_years_cover_the_status_year_is_offered_first(app: FastAPI, db: Database) -> None:
    load(db, "new_edition_2017.yaml")
    kkr_id = hovedstaden_id(db)
    with db.read() as session:
        assert edition_choices(session, kkr_id, 2016)[0].catalogue.key == "kkr-hovedstaden-2015"
        later = edition_choices(session, kkr_id, 2018)
    assert [c.catalogue.key for c in later] == ["kkr-hovedstaden-2017", "kkr-hovedstaden-2015"]
    assert later[0].covers and later[0].years_label == "fra 2017"

    browser = open_browser(app, db, quick_user(db, Role.COORDINATOR))
    fragment = browser.client.get(f"/runder/katalogvalg?kkr_id={kkr_id}&year=2016").text
    options = re.findall(r'<option value="([^"]+)"', fragment)
    assert options == ["kkr-hovedstaden-2015", "kkr-hovedstaden-2017"]
    assert "– gælder 2016" in fragment


def test_a_coordinator_creates_a_planned_round_and_opens_closes_and_reopens_it(app: FastAPI, db: Database) -> None:
    coordinator = open_browser(app, db, quick_user(db, Role.COORDINATOR, name="Kirsten"))
    editor_user = quick_user(db, Role.EDITOR, municipality_code=ALLEROED)
    editor = open_browser(app, db, editor_user)

    status, location = new_round(coordinator, db)
    assert status == 303
    created = round_of(db, 2027)
    assert (created.state, created.catalogue_id, created.reminder_days) == (RoundState.PLANNED, 1, "14,3,-1")
    page = coordinator.client.get(location).text
    assert "Runden er oprettet som planlagt" in page and "0 af 29 indsendt" in page
    assert editor.client.get(f"/kommuner/{ALLEROED}/2027").status_code == 404  # invisible while planned

    assert coordinator.send(Req.of_form(f"/runder/{created.id}/aabn")).status_code == 303
    assert editor.client.get(f"/kommuner/{ALLEROED}/2027").status_code == 200
    start(db, editor_user, ALLEROED, 2027)

    assert coordinator.send(Req.of_form(f"/runder/{created.id}/luk")).status_code == 303
    closed = editor.client.get(f"/kommuner/{ALLEROED}/2027").text
    assert "to-check" not in closed and 'hx-post="/raekker/' not in closed  # read-only
    again = coordinator.send(Req.of_form(f"/runder/{created.id}/luk"), htmx=False)
    assert again.status_code == 409 and "Runden er allerede lukket." in again.text

    assert coordinator.send(Req.of_form(f"/runder/{created.id}/genaabn")).status_code == 303
    assert round_of(db, 2027).state is RoundState.OPEN
    assert "Tjek dine svar" in editor.client.get(f"/kommuner/{ALLEROED}/2027").text  # the way to Indsend (issue 16)
    listing = coordinator.client.get("/runder").text
    assert "KKR Hovedstaden: status for 2027" in listing and "Åben" in listing


def test_the_new_round_form_proposes_the_first_year_without_a_round(app: FastAPI, db: Database) -> None:
    app.dependency_overrides[now_dependency] = lambda: NOW  # January 2026
    coordinator = open_browser(app, db, quick_user(db, Role.COORDINATOR))
    kkr_id = hovedstaden_id(db)
    with db.read() as session:
        years = set(session.exec(select(ReportingRound.year).where(ReportingRound.kkr_id == kkr_id)))
    assert 2026 not in years
    assert _proposed(coordinator) == "2026"

    for year in (2026, 2027):
        make_round(db, year, state=RoundState.PLANNED)
    assert _proposed(coordinator) == "2028"  # not 2025 nor a year that already has its round
    with db.read() as session:
        assert proposed_year(session, kkr_id, now=NOW) == 2028
    app.dependency_overrides.pop(now_dependency)


def _proposed(browser: Browser) -> str:
    page = browser.client.get("/runder").text
    found = re.search(r'<input id="year" name="year"[^>]*value="([^"]*)"', page)
    assert found is not None, page
    return found.group(1)


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"deadline": "2027-12-31"}, "deadline", "Fristen ligger før åbningsdatoen."),
        ({"year": "2025"}, "year", "KKR Hovedstaden har allerede en runde for 2025."),
        ({"catalogue": "test-nordjylland-2025"}, "catalogue", "KKR Hovedstaden har intet katalog"),
        ({"opens_on": ""}, "opens_on", "Angiv åbningsdatoen."),
        ({"opens_on": "3. januar"}, "opens_on", "Åbningsdatoen skal være en dato"),
        ({"year": "tyve"}, "year", "Statusåret skal være et årstal"),
        ({"year": "1850"}, "year", "Statusåret skal ligge mellem 2000 og 2100."),
        ({"reminder_days": "14, om lidt"}, "reminder_days", "er ikke et antal dage"),
    ],
)
def test_bad_round_input_is_refused_next_to_the_field_and_changes_nothing(
    app: FastAPI, db: Database, values: dict[str, str], field: str, message: str
) -> None:
    load(db, "small_valid.yaml")  # KKR Nordjylland's catalogue
    make_round(db, 2025)
    coordinator = open_browser(app, db, quick_user(db, Role.COORDINATOR))
    before = snapshot(db)

    status, html = new_round(coordinator, db, **values)

    assert status == 422
    assert message in html
    assert re.search(rf'class="field has-error"[^>]*>\s*<label for="{field}"', html), "not next to the field"
    assert changed_tables(before, snapshot(db)) == []


def test_a_coordinator_cannot_create_a_round_for_another_kkr(app: FastAPI, db: Database) -> None:
    far = open_browser(app, db, quick_user(db, Role.COORDINATOR, kkr=MIDTJYLLAND))
    before = snapshot(db)
    status, _ = new_round(far, db)
    assert status == 404
    assert changed_tables(before, snapshot(db)) == []
    # Their own page offers only their own KKR.
    assert "KKR Hovedstaden" not in far.client.get("/runder").text


def test_an_admin_creates_rounds_through_the_api_for_any_kkr(app: FastAPI, db: Database) -> None:
    admin = open_browser(app, db, quick_user(db, Role.ADMIN))
    body = {"kkr_id": hovedstaden_id(db), "year": 2026, "opens_on": "2027-01-04", "deadline": "2027-02-26"}
    headers = {"X-CSRF-Token": admin.token}
    created = admin.client.post("/api/rounds", json=body, headers=headers)
    assert created.status_code == 201, created.text
    assert created.json()["state"] == "planned" and created.json()["catalogue"] == "kkr-hovedstaden-2015"
    round_id = created.json()["round_id"]
    twice = admin.client.post("/api/rounds", json=body, headers=headers)
    assert twice.status_code == 422 and twice.json()["field"] == "year"
    assert admin.client.post(f"/api/rounds/{round_id}/open", headers=headers).json()["state"] == "open"
    assert admin.client.post(f"/api/rounds/{round_id}/close", headers=headers).json()["state"] == "closed"
    closed_twice = admin.client.post(f"/api/rounds/{round_id}/close", headers=headers)
    assert closed_twice.status_code == 409 and closed_twice.json()["detail"] == "Runden er allerede lukket."
    assert admin.client.post(f"/api/rounds/{round_id}/reopen", headers=headers).json()["state"] == "open"
    assert [r["year"] for r in admin.client.get("/api/rounds").json()] == [2026]
    assert admin.client.get(f"/api/rounds/{round_id}").json()["reminder_days"] == [14, 3, -1]


def test_a_closed_round_is_read_only_for_the_municipality_but_can_still_be_approved(world: World) -> None:
    coordinator = world.browser(world.coordinator)
    assert coordinator.send(Req.of_form(f"/runder/{world.round.id}/luk")).status_code == 303
    row = world.entry("hov15-v1")
    refused = world.browser(world.editor).send(
        Req.of_form(f"/raekker/{row.id}", {"colour": "red", "remark": "Sent", "version": row.version})
    )
    assert "ikke åben for indberetning" in refused.text
    assert coordinator.send(Req.of_form(f"/rapporter/{world.submitted.id}/godkend")).status_code == 303
    assert world.fresh_report(world.submitted).state is ReportState.APPROVED
    sent_back = coordinator.send(
        Req.of_form(f"/rapporter/{world.report.id}/send-tilbage", {"comment": "x", "code": ALLEROED, "year": YEAR}),
        htmx=False,
    )
    assert sent_back.status_code == 409


# ---------------------------------------------------------------------------- fremdrift rounds


@pytest.fixture
def cli_database(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("DATABASE_URL", database_url)
    get_settings.cache_clear()
    yield database_url
    get_settings.cache_clear()


def run_cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def test_fremdrift_rounds_create_open_close_list(cli_database: str, db: Database) -> None:
    kkr = ("--kkr", "KKR Hovedstaden")
    code, output = run_cli("rounds", "create", "2025", *kkr, "--opens", "2026-01-05", "--deadline", "2026-02-27")
    assert code == 0, output
    assert "Oprettet: KKR Hovedstaden 2025 (katalog kkr-hovedstaden-2015), planlagt." in output
    assert run_cli("rounds", "open", "2025", *kkr) == (0, "KKR Hovedstaden 2025: åbnet.\n")
    code, output = run_cli("rounds", "list")
    assert code == 0
    assert output == "KKR Hovedstaden 2025: åben, frist 2026-02-27, 0 af 29 indsendt (katalog kkr-hovedstaden-2015)\n"
    assert run_cli("rounds", "close", "2025", *kkr) == (0, "KKR Hovedstaden 2025: lukket.\n")
    code, output = run_cli("rounds", "close", "2025", *kkr)
    assert code == 1 and "Fejl: Runden er allerede lukket." in output
    assert run_cli("rounds", "reopen", "2025", *kkr)[0] == 0

    code, output = run_cli("rounds", "create", "2025", *kkr, "--opens", "2026-01-05", "--deadline", "2026-02-27")
    assert code == 1 and "allerede en runde for 2025" in output
    code, output = run_cli("rounds", "create", "2026", *kkr, "--opens", "2027-03-01", "--deadline", "2027-02-27")
    assert code == 1 and "Fristen ligger før åbningsdatoen." in output
    code, output = run_cli("rounds", "open", "2030", "--kkr", "KKR Atlantis")
    assert code == 1 and "Ukendt KKR" in output
    assert run_cli("rounds", "list", "--kkr", "KKR Midtjylland") == (0, "Ingen runder.\n")


def test_the_domain_names_every_missing_field_and_refuses_moves_out_of_order(db: Database) -> None:
    admin = actor_of(quick_user(db, Role.ADMIN))
    kkr_id = hovedstaden_id(db)
    blank = RoundInput(kkr_id, 2027, "", date(2028, 1, 3), date(2028, 2, 28))
    cases = [
        (replace(blank, kkr_id=None), "kkr", "Vælg en KKR."),
        (replace(blank, kkr_id=999), "kkr", "Vælg en KKR."),
        (replace(blank, year=None), "year", "Angiv statusåret."),
        (replace(blank, deadline=None), "deadline", "Angiv fristen."),
        (replace(blank, reminder_days="400"), "reminder_days", "365 dage"),
        (replace(blank, reminder_days="0"), "reminder_days", "0 er ikke et trin"),
    ]
    for data, field, message in cases:
        with db.write() as session, pytest.raises(InvalidInput, match=message) as refused:
            plan_round(session, admin, data, now=NOW)
        assert refused.value.field == field
    with db.read() as session:  # a KKR without a catalogue
        nordjylland = find_kkr(session, "KKR Nordjylland")
        assert nordjylland is not None
    with db.write() as session, pytest.raises(InvalidInput, match="har intet katalog endnu"):
        plan_round(session, admin, replace(blank, kkr_id=nordjylland.id), now=NOW)

    with db.write() as session:
        planned = plan_round(session, admin, blank, now=NOW)
    round_id = planned.id or 0
    refusals = [
        (close_round, "ikke åbnet endnu"),
        (reopen_round, "Kun en lukket runde"),
    ]
    for command, message in refusals:
        with db.write() as session, pytest.raises(NotAllowedNow, match=message):
            command(session, admin, round_id, now=NOW)
    with db.write() as session:
        open_round(session, admin, round_id, now=NOW)
    with db.write() as session, pytest.raises(NotAllowedNow, match="allerede åben"):
        open_round(session, admin, round_id, now=NOW)
    with db.write() as session:
        close_round(session, admin, round_id, now=NOW)
    with db.write() as session, pytest.raises(NotAllowedNow, match="en lukket runde genåbnes"):
        open_round(session, admin, round_id, now=NOW)
    with db.write() as session, pytest.raises(NotAllowedNow, match="lukket; der sendes ikke"):
        set_reminder_schedule(session, admin, round_id, "3", now=NOW)
    with db.write() as session:
        published = session.get(ReportingRound, round_id)
        assert published is not None
        published.state = RoundState.PUBLISHED
        session.add(published)
    with db.write() as session, pytest.raises(NotAllowedNow, match="offentliggjort og kan ikke genåbnes"):
        reopen_round(session, admin, round_id, now=NOW)
    with db.read() as session, pytest.raises(NotFound):
        get_round_by_id(session, 9999)


def test_the_timeline_names_scheduled_reminders_and_whom_they_reached(world: World) -> None:
    with world.db.write() as session:
        for days_before, code in ((3, KOEBENHAVN), (-2, KOEBENHAVN), (3, 190)):
            session.add(
                Reminder(
                    round_id=world.round.id or 0,
                    municipality_code=code,
                    days_before=days_before,
                    sent_at=NOW,
                    recipients="kim@example.dk" if code == KOEBENHAVN else "",
                )
            )
    with world.db.read() as session:
        copenhagen = report_timeline(
            session, report_id=None, round_id=world.round.id or 0, municipality_code=KOEBENHAVN
        )
        furesoe = report_timeline(session, report_id=None, round_id=world.round.id or 0, municipality_code=190)
    assert [item.detail for item in copenhagen] == [
        "planlagt, 3 dage før fristen til kim@example.dk",
        "planlagt, 2 dage efter fristen til kim@example.dk",
    ]
    assert all(item.label == "Påmindet" and item.by is None for item in copenhagen)
    assert furesoe[0].detail == "planlagt, 3 dage før fristen (kommunen har ingen redaktører med e-mail)"
    assert latest_comment(copenhagen) is None


def test_absurd_numbers_in_round_urls_and_forms_get_a_message_never_a_500(world: World) -> None:
    coordinator = world.browser(world.coordinator)
    huge = 2**40
    for url in (
        f"/runder/{huge}",
        f"/api/rounds/{huge}",
        f"/api/rounds/{huge}/follow-up",
        "/api/reports/201/1850/timeline",
    ):
        assert coordinator.client.get(url).status_code == 422, url
    assert coordinator.client.get("/runder/999999").status_code == 404
    assert coordinator.client.get(f"/runder/katalogvalg?kkr_id={huge}&year=2025").status_code == 422
    remind = coordinator.send(Req.of_form(f"/runder/{world.round.id}/paamindelser", {"municipality_code": huge}))
    assert remind.status_code == 422
    body = {"kkr_id": huge, "year": 2027, "opens_on": "2028-01-03", "deadline": "2028-02-28"}
    assert coordinator.send(Req.of_json("POST", "/api/rounds", body)).status_code == 422
