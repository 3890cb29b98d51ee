"""Issue 16's findings on the job centre's form, each as the user meets it (the browser-only
parts are in tests/e2e/test_form_a11y_browser.py)."""

import json
import re
from datetime import timedelta

import pytest
from fastapi import FastAPI
from sqlmodel import col, select

from app.config import TEMPLATES_DIR
from app.db import Database
from app.domain.accounts import actor_of
from app.domain.errors import NotAllowedNow
from app.domain.reports.commands import EntryInput, RowsChanged, confirm_unchanged, save_entry
from app.domain.text import genitive
from app.domain.vocabulary import Role, RoundState
from app.models import ReportEvent, StatusChange, StatusReport, User
from tests.factories import ALLEROED, NOW, entries_by_key, make_round, set_round_state, start
from tests.scenarios import YEAR, Browser, Req, World, changed_tables, open_browser, quick_user, row_save, snapshot

PAGE = f"/kommuner/{ALLEROED}/{YEAR}"


def report_of(db: Database, user: User, year: int, colours: dict[str, str]) -> StatusReport:
    """A report of ``year`` for Allerød with these rows coloured (a remark each), round closed."""
    reporting_round = make_round(db, year)
    report = start(db, user, ALLEROED, year)
    with db.write() as session:
        rows = entries_by_key(session, report.id or 0)
        for key, colour in colours.items():
            data = EntryInput(colour, f"Status {year}", False, "", rows[key].version)
            save_entry(session, actor_of(user), rows[key].id or 0, data, now=NOW - timedelta(days=365))
    set_round_state(db, reporting_round.id or 0, RoundState.CLOSED)
    return report


@pytest.fixture
def jette(db: Database) -> User:
    return quick_user(db, Role.EDITOR, municipality_code=ALLEROED, name="Jette Jobcenterchef")


def carried_report(app: FastAPI, db: Database, jette: User) -> tuple[StatusReport, Browser]:
    """Allerød's 2025 started from its 2024 report (V1 yellow, V2 red, V3 green)."""
    report_of(db, jette, YEAR - 1, {"hov15-v1": "yellow", "hov15-v2": "red", "hov15-v3": "green"})
    make_round(db, YEAR)
    browser = open_browser(app, db, jette)
    assert browser.send(Req.of_form(f"{PAGE}/start", {"carry_over": "true"})).status_code == 303
    with db.read() as session:
        report = session.exec(select(StatusReport).order_by(col(StatusReport.id).desc())).first()
    assert report is not None
    return report, browser


# ---------------------------------------------------------------------------- 5: confirm all unchanged


def test_confirm_all_unchanged_confirms_every_carried_row_in_one_save(app: FastAPI, db: Database, jette: User) -> None:
    report, browser = carried_report(app, db, jette)
    page = browser.client.get(PAGE).text
    versions = re.search(r'name="versions" value="([^"]+)"', page)
    assert versions is not None and len(versions.group(1).split()) == 3
    assert "Bekræft alle uændrede (3)" in page
    # One progress, counting finished rows: no "3 af 16 udfyldt" beside "3 ikke bekræftet".
    assert "<strong>0 af 16</strong> rækker færdige" in page
    assert "rækker udfyldt" not in page

    response = browser.send(
        Req.of_form(f"/rapporter/{report.id}/bekraeft-uaendrede", {"versions": versions.group(1)}), htmx=False
    )
    assert response.status_code == 303 and response.headers["location"] == f"{PAGE}?bekraeftet=3"
    after = browser.client.get(f"{PAGE}?bekraeftet=3").text
    assert "3 overførte rækker er bekræftet uændret." in after
    assert "Overført fra 2024, ikke bekræftet" not in after
    assert "<strong>3 af 16</strong> rækker færdige" in after
    with db.read() as session:
        rows = entries_by_key(session, report.id or 0)
        changes = session.exec(
            select(StatusChange).where(col(StatusChange.entry_id).in_([r.id for r in rows.values()]))
        ).all()
    assert all(r.confirmed for r in rows.values())
    assert (
        sorted((c.field, c.old_value, c.new_value, c.version) for c in changes) == [("confirmed", "nej", "ja", 2)] * 3
    )


def test_confirm_all_is_refused_whole_when_a_row_is_not_as_the_user_saw_it(
    app: FastAPI, db: Database, jette: User
) -> None:
    report, browser = carried_report(app, db, jette)
    with db.read() as session:
        rows = entries_by_key(session, report.id or 0)
    seen = {rows[key].id or 0: rows[key].version for key in ("hov15-v1", "hov15-v2", "hov15-v3")}
    stale = {**seen, rows["hov15-v1"].id or 0: rows["hov15-v1"].version + 7}
    before = snapshot(db)
    with pytest.raises(RowsChanged) as refused, db.write() as session:
        confirm_unchanged(session, actor_of(jette), report.id or 0, stale, now=NOW)
    assert refused.value.keys == ["hov15-v1"]
    assert "1 række er ændret af en anden, mens du arbejdede, så intet er bekræftet." in refused.value.message
    assert changed_tables(before, snapshot(db)) == []

    # A row saved meanwhile is confirmed by that save (with its new value); the rest as seen.
    with db.write() as session:
        data = EntryInput("green", "Nu grøn", False, "", rows["hov15-v2"].version)
        save_entry(session, actor_of(jette), rows["hov15-v2"].id or 0, data, now=NOW)
    with db.write() as session:
        done = confirm_unchanged(session, actor_of(jette), report.id or 0, seen, now=NOW)
    assert done.confirmed == 2
    with db.read() as session:
        assert entries_by_key(session, report.id or 0)["hov15-v2"].remark == "Nu grøn"

    malformed = browser.send(
        Req.of_form(f"/rapporter/{report.id}/bekraeft-uaendrede", {"versions": "1:0 x"}), htmx=False
    )
    assert malformed.status_code == 422 and "Genindlæs siden" in malformed.text


def test_confirm_all_on_a_submitted_report_is_refused(world: World) -> None:
    with world.db.write() as session, pytest.raises(NotAllowedNow):
        confirm_unchanged(session, actor_of(world.frederiksberg_editor), world.submitted.id or 0, {}, now=NOW)


# ---------------------------------------------------------------------------- 6: the latest earlier report


def test_start_uses_the_latest_earlier_report_and_says_which(app: FastAPI, db: Database, jette: User) -> None:
    report_of(db, jette, YEAR - 2, {"hov15-v1": "red"})  # 2023; no report for 2024
    make_round(db, YEAR - 1, state=RoundState.CLOSED)
    make_round(db, YEAR)
    browser = open_browser(app, db, jette)
    page = browser.client.get(PAGE).text
    assert "status for 2023</strong> (der er ingen rapport for 2024)" in page
    assert "Start fra status for 2023" in page
    assert browser.send(Req.of_form(f"{PAGE}/start", {"carry_over": "true"})).status_code == 303
    with db.read() as session:
        report = session.exec(select(StatusReport).order_by(col(StatusReport.id).desc())).first()
        assert report is not None and report.carried_from_year == YEAR - 2
        event = session.exec(select(ReportEvent).where(ReportEvent.report_id == report.id)).one()
        v1 = entries_by_key(session, report.id or 0)["hov15-v1"]
    assert event.detail == "fra status for 2023"
    assert (v1.colour, v1.confirmed) == ("red", False)
    page = browser.client.get(PAGE).text
    assert "Overført fra 2023, ikke bekræftet" in page
    assert "<h4>2023</h4>" in page  # the statuses beside each row are the ones carried over


def test_start_with_no_earlier_report_says_so(app: FastAPI, db: Database, jette: User) -> None:
    make_round(db, YEAR)
    browser = open_browser(app, db, jette)
    page = browser.client.get(PAGE).text
    assert "Allerød Kommune har ingen tidligere statusrapport, så der er intet at overføre" in page
    assert "Start fra" not in page
    assert browser.send(Req.of_form(f"{PAGE}/start", {"carry_over": "true"})).status_code == 303
    with db.read() as session:
        report = session.exec(select(StatusReport)).one()
        assert report.carried_from_year is None
        assert all(entry.confirmed for entry in entries_by_key(session, report.id or 0).values())


# ---------------------------------------------------------------------------- 7: check your answers


def test_check_your_answers_shows_the_whole_report_with_ret_links_then_indsend(world: World) -> None:
    browser = world.browser(world.editor)
    page = browser.client.get(f"{PAGE}/tjek")
    assert page.status_code == 200
    html = page.text
    assert "Tjek dine svar: Allerød Kommune, status for 2025" in html
    assert len(re.findall(r'href="/kommuner/201/2025#row-hov15-[a-z]\d">Ret<span class="sr-only">', html)) == 16
    assert 'aria-current="step"' in html and "Tjek og indsend" in html
    assert "Indsend statusrapporten" in html
    form = browser.client.get(PAGE).text
    assert f'href="{PAGE}/tjek"' in form and 'class="report-contents"' in form
    assert len(re.findall(r'<li><a href="#area-', form)) == 4


def test_submit_from_check_your_answers_lists_what_is_missing_with_links(world: World) -> None:
    browser = world.browser(world.editor)
    row = world.entry("hov15-v4")
    browser.send(row_save(row.id, row.version, colour="red", remark=""))
    response = browser.send(Req.of_form(f"/rapporter/{world.report.id}/indsend"), htmx=False)
    assert response.status_code == 422
    assert 'data-module="error-summary"' in response.text
    assert "Rapporten kan ikke indsendes endnu: 1 forhold mangler." in response.text
    assert re.search(
        rf'href="{PAGE}#row-hov15-v4">Fælles overblik over[^<]*: Rød kræver en bemærkning.</a>', response.text
    )
    assert world.fresh_report().state == "in_progress"


# ---------------------------------------------------------------------------- 1: fravalgt without a reason


def test_fravalgt_without_reason_keeps_the_colour_live_in_the_form(world: World) -> None:
    browser = world.browser(world.editor)
    row = world.entry("hov15-v4")
    browser.send(row_save(row.id, row.version, colour="yellow", remark="Delvist."))
    row = world.entry("hov15-v4")
    refused = browser.send(row_save(row.id, row.version, colour="yellow", remark="Delvist.", opted_out="true"))
    assert refused.status_code == 422
    # The colour is still there and still sent (never a disabled radio), so unticking loses nothing.
    assert re.search(r'value="yellow" checked>', refused.text)
    assert "disabled" not in refused.text
    assert (world.entry("hov15-v4").colour, world.entry("hov15-v4").version) == ("yellow", row.version)


# ---------------------------------------------------------------------------- 8, 9, 10: the smaller things


def test_editor_front_page_shows_the_task_with_one_button(world: World) -> None:
    html = world.browser(world.editor).client.get("/").text
    assert "Udfyld Allerøds status for 2025" in html
    assert "Frist 28. februar 2026" in html
    task = html[html.index('id="task-201-2025"') :]
    task = task[: task.index("</li>")]
    assert task.count('class="button') == 1 and "Fortsæt statusrapporten" in task
    assert "Frederiksberg" not in html[: html.index("Tidligere år")]  # only their own municipality's task


def test_history_has_a_heading_and_a_way_back(world: World) -> None:
    row = world.entry("hov15-v1")
    html = world.browser(world.editor).client.get(f"/raekker/{row.id}/historik").text
    assert "<h1>Historik: Allerød Kommune, status for 2025</h1>" in html
    assert f'href="{PAGE}#row-hov15-v1">Tilbage til Allerøds status for 2025</a>' in html
    assert '<col class="col-when">' in html  # fixed columns: a long remark wraps instead of stretching


def test_a_closed_round_says_the_municipality_did_not_submit(world: World) -> None:
    set_round_state(world.db, world.round.id or 0, RoundState.CLOSED)
    html = world.browser(world.coordinator).client.get(f"/kommuner/{101}/{YEAR}").text
    assert "Kommunen indsendte ikke en statusrapport for 2025." in html
    assert "har ikke startet" not in html


def test_conflict_shows_the_other_value_with_danish_quotes_and_no_stray_space(world: World) -> None:
    row = world.entry("hov15-v1")
    world.browser(world.editor).send(row_save(row.id, row.version, colour="red", remark="A: aftale"))
    response = world.browser(world.colleague).send(row_save(row.id, row.version, colour="green", remark="B"))
    assert response.status_code == 409
    text = re.sub(r"<[^>]+>", "", response.text)
    text = re.sub(r"\s+", " ", text)
    assert "■ Rød: ”A: aftale”" in text
    assert "Rød :" not in text and "“" not in text


def test_limits_are_written_as_a_danish_reader_writes_them(world: World) -> None:
    html = world.browser(world.editor).client.get(PAGE).text
    assert "højst 2.000 tegn" in html and "2000 tegn" not in html


def test_api_is_in_the_footer_not_the_main_menu_and_its_docs_lead_back(world: World) -> None:
    browser = world.browser(world.editor)
    html = browser.client.get("/").text
    menu = html[html.index('aria-label="Hovedmenu"') : html.index("</nav>")]
    assert "/api/docs" not in menu
    footer = html[html.index('<footer class="site">') :]
    assert 'href="/api/docs"' in footer
    docs = browser.client.get("/api/docs").text
    assert '<a href="/">← Tilbage til Fremdrift</a>' in docs


def test_htmx_settles_no_inline_style() -> None:
    base = (TEMPLATES_DIR / "base.html").read_text()
    config = json.loads(re.search(r"name=\"htmx-config\" content='([^']+)'", base).group(1))  # type: ignore[union-attr]
    assert "style" not in config["attributesToSettle"]
    assert config["includeIndicatorStyles"] is False


@pytest.mark.parametrize(
    ("name", "expected"),
    [("Allerød", "Allerøds"), ("Furesø", "Furesøs"), ("Gladsaxe", "Gladsaxes"), ("Frederiks", "Frederiks'")],
)
def test_genitive(name: str, expected: str) -> None:
    assert genitive(name) == expected


def test_a_row_save_that_confirms_updates_the_confirm_all_list_out_of_band(
    app: FastAPI, db: Database, jette: User
) -> None:
    report, browser = carried_report(app, db, jette)
    with db.read() as session:
        v1 = entries_by_key(session, report.id or 0)["hov15-v1"]
    saved = browser.send(row_save(v1.id, v1.version, colour="yellow", remark="Status 2024"))
    assert saved.status_code == 200
    assert '<div id="confirm-all" hx-swap-oob="true">' in saved.text
    assert "Bekræft alle uændrede (2)" in saved.text
    again = browser.send(row_save(v1.id, v1.version + 1, colour="red", remark="Status 2024"))
    assert again.status_code == 200 and 'id="confirm-all"' not in again.text  # nothing to update: not sent


def test_the_api_confirms_all_unchanged_with_the_same_version_check(app: FastAPI, db: Database, jette: User) -> None:
    _report, browser = carried_report(app, db, jette)
    url = f"/api/reports/{ALLEROED}/{YEAR}"
    entries = browser.client.get(url).json()["entries"]
    seen = {str(e["entry_id"]): e["version"] for e in entries if not e["confirmed"]}
    assert len(seen) == 3
    stale = browser.send(Req.of_json("POST", f"{url}/confirm-unchanged", {"versions": {**seen, next(iter(seen)): 9}}))
    assert stale.status_code == 409 and stale.json()["current"] == {"changed": ["hov15-v1"]}
    done = browser.send(Req.of_json("POST", f"{url}/confirm-unchanged", {"versions": seen}))
    assert done.status_code == 200
    assert all(e["confirmed"] for e in done.json()["entries"])
    assert not [m for m in done.json()["missing"] if m["message"].startswith("Overført")]
