"""The rules of a status report, through the page and the API alike."""

import re
from datetime import timedelta

import pytest
from fastapi import FastAPI
from sqlalchemy import func
from sqlalchemy.exc import DBAPIError
from sqlmodel import select

from app.db import Database
from app.domain.accounts import actor_of
from app.domain.reports.commands import EntryInput, save_entry
from app.domain.vocabulary import Role, RoundState
from app.models import ReportEvent, StatusChange
from tests.db_faults import MESSAGE as FAULT
from tests.db_faults import inserts_fail
from tests.factories import ALLEROED, NOW, entries_by_key, make_round, set_round_state, start
from tests.scenarios import (
    YEAR,
    Req,
    World,
    changed_tables,
    open_browser,
    quick_user,
    remark_history,
    row_save,
    row_save_api,
    snapshot,
)

PAGE = f"/kommuner/{ALLEROED}/{YEAR}"
SKAL_KEYS = ["hov15-v1", "hov15-v2", "hov15-v3", "hov15-b1", "hov15-b2", "hov15-o1", "hov15-o2", "hov15-d1"]


def row_request(world: World, key: str, colour: str = "", remark: str = "", **extra: object) -> Req:
    row = world.entry(key)
    return row_save(row.id, row.version, colour=colour, remark=remark, **extra)


def api_row_request(world: World, key: str, **body: object) -> Req:
    row = world.entry(key)
    return row_save_api(row.id, row.version, **body)


def field_block(html: str, css_class: str) -> str:
    """The part of a row form around one field: where its error message belongs."""
    found = re.search(rf'<(div|fieldset) class="{css_class} has-error[^"]*">(.*?)</\1>', html, re.S)
    assert found, f"no error shown at {css_class}: {html[:2000]}"
    return found.group(2)


def textarea(html: str) -> str:
    found = re.search(r'<textarea[^>]*name="remark"[^>]*>(.*?)</textarea>', html, re.S)
    assert found, html
    return found.group(1)


def count(db: Database, model: type) -> int:
    with db.read() as session:
        return session.exec(select(func.count()).select_from(model)).one()


# ---------------------------------------------------------------------------- remarks


def test_remark_of_2000_characters_is_saved(world: World) -> None:
    text = "a" * 1999 + "b"
    response = world.browser(world.editor).send(row_request(world, "hov15-v1", "yellow", text))
    assert response.status_code == 200
    assert world.entry("hov15-v1").remark == text


def test_remark_of_2001_characters_is_refused_next_to_the_field_and_kept(world: World) -> None:
    text = "x" * 2001
    before = snapshot(world.db)
    response = world.browser(world.editor).send(row_request(world, "hov15-v1", "yellow", text))
    assert response.status_code == 422
    assert "Bemærkningen må højst være 2.000 tegn; den er 2.001." in field_block(response.text, "remark")
    assert textarea(response.text) == text
    assert changed_tables(before, snapshot(world.db)) == []

    api = world.browser(world.editor).send(api_row_request(world, "hov15-v1", colour="yellow", remark=text))
    assert api.status_code == 422
    assert api.json()["field"] == "remark"
    assert "2.000 tegn" in api.json()["detail"]
    assert changed_tables(before, snapshot(world.db)) == []


def test_remark_that_looks_like_a_cpr_number_is_refused(world: World) -> None:
    browser = world.browser(world.editor)
    before = snapshot(world.db)
    for text in ("Borger 010190-1234 ringede", "0101901234", "cpr 311299 1234 nævnt"):
        response = browser.send(row_request(world, "hov15-v1", "yellow", text))
        assert response.status_code == 422, text
        assert "ser ud til at indeholde et CPR-nummer" in field_block(response.text, "remark"), text
        assert textarea(response.text) == text
        api = browser.send(api_row_request(world, "hov15-v1", colour="yellow", remark=text))
        assert api.status_code == 422 and api.json()["field"] == "remark", text
    assert changed_tables(before, snapshot(world.db)) == []


def test_ordinary_numbers_dates_and_phone_numbers_are_accepted(world: World) -> None:
    browser = world.browser(world.editor)
    for text in (
        "tlf. 12345678",
        "2015-2016",
        "sag 15/4881",
        "Møde 12.03.2025 kl. 10",
        "CVR 12345678, budget 2.500.000 kr.",
        "+45 33 12 34 56",
        "Journalnr. 2015-123456",
    ):
        response = browser.send(row_request(world, "hov15-v1", "yellow", text))
        assert response.status_code == 200, f"{text}: {response.text[:500]}"
        assert world.entry("hov15-v1").remark == text


# ---------------------------------------------------------------------------- fravalgt


def test_kan_row_can_be_fravalgt_with_a_reason_and_its_colour_is_cleared(world: World) -> None:
    browser = world.browser(world.editor)
    request = row_request(
        world, "hov15-v4", "red", "", opted_out="true", opt_out_reason="Ingen virksomheder i området."
    )
    response = browser.send(request)
    assert response.status_code == 200
    row = world.entry("hov15-v4")
    assert (row.opted_out, row.colour, row.opt_out_reason) == (True, None, "Ingen virksomheder i området.")

    page = browser.client.get(PAGE).text
    assert "<strong>9 af 16</strong> rækker færdige" in page  # 8 green SKAL rows and the fravalgt one, apart
    api = browser.client.get(f"/api/reports/{ALLEROED}/{YEAR}").json()
    entry = next(e for e in api["entries"] if e["recommendation_id"] == "hov15-v4")
    assert (entry["colour"], entry["opted_out"]) == (None, True)
    assert api["missing"] == []  # fravalgt is not red and needs no colour


def test_fravalgt_needs_a_reason(world: World) -> None:
    before = snapshot(world.db)
    response = world.browser(world.editor).send(row_request(world, "hov15-v4", "", "", opted_out="true"))
    assert response.status_code == 422
    assert "Skriv hvorfor anbefalingen er fravalgt." in field_block(response.text, "opt-out")
    assert changed_tables(before, snapshot(world.db)) == []


def test_skal_row_cannot_be_fravalgt(world: World) -> None:
    before = snapshot(world.db)
    browser = world.browser(world.editor)
    response = browser.send(row_request(world, "hov15-v1", "", "", opted_out="true", opt_out_reason="Vil ikke"))
    assert response.status_code == 422
    assert "Kun en KAN-anbefaling kan fravælges." in response.text
    body = {"colour": None, "remark": "", "opted_out": True, "opt_out_reason": "Vil ikke"}
    api = browser.send(api_row_request(world, "hov15-v1", **body))
    assert api.status_code == 422
    assert api.json()["field"] == "opted_out"
    assert changed_tables(before, snapshot(world.db)) == []


# ---------------------------------------------------------------------------- carry-over


def test_carried_over_rows_are_unconfirmed_until_confirmed_or_changed(app: FastAPI, db: Database) -> None:
    # Allerød reported for 2024 (V1 yellow, V2 red); that round is closed and 2025 is open.
    last_round = make_round(db, YEAR - 1)
    editor = quick_user(db, Role.EDITOR, municipality_code=ALLEROED, name="Jette Jobcenterchef")
    last = start(db, editor, ALLEROED, YEAR - 1)
    with db.write() as session:
        rows = entries_by_key(session, last.id or 0)
        for key, colour, remark in (("hov15-v1", "yellow", "Sidste års tekst"), ("hov15-v2", "red", "Ikke nået")):
            data = EntryInput(colour, remark, False, "", rows[key].version)
            save_entry(session, actor_of(editor), rows[key].id or 0, data, now=NOW - timedelta(days=365))
    set_round_state(db, last_round.id or 0, RoundState.CLOSED)
    make_round(db, YEAR)
    browser = open_browser(app, db, editor)

    started = browser.send(Req.of_form(f"/kommuner/{ALLEROED}/{YEAR}/start", {"carry_over": "true"}))
    assert started.status_code == 303
    entries = {
        e["recommendation_id"]: e for e in browser.client.get(f"/api/reports/{ALLEROED}/{YEAR}").json()["entries"]
    }
    v1 = entries["hov15-v1"]
    assert (v1["colour"], v1["remark"], v1["confirmed"]) == ("yellow", "Sidste års tekst", False)
    assert entries["hov15-v3"]["confirmed"] is True  # nothing to carry over: nothing to confirm

    page = browser.client.get(PAGE).text
    assert "Heraf venter 2 overførte fra 2024 på at blive bekræftet eller rettet." in page
    assert "Overført fra 2024, ikke bekræftet" in page
    missing = browser.client.get(f"/api/reports/{ALLEROED}/{YEAR}").json()["missing"]
    assert {"recommendation_id": "hov15-v1", "message": "Overført fra sidste år: bekræft eller ret rækken."} in missing

    # Confirming sends the row as it stands (the "Bekræft" button submits the row's form).
    form = {"colour": "yellow", "remark": "Sidste års tekst", "version": v1["version"]}
    confirmed = browser.send(Req.of_form(f"/raekker/{v1['entry_id']}", form))
    assert confirmed.status_code == 200
    assert "Overført fra 2024, ikke bekræftet" not in confirmed.text  # the row's badge is gone
    # ... and the count above the rows, sent along out of band, now says one is left.
    assert "Heraf venter 1 overført fra 2024 på at blive bekræftet eller rettet." in confirmed.text
    history = browser.client.get(f"/api/entries/{v1['entry_id']}/history").json()
    assert [(c["field"], c["old_value"], c["new_value"]) for c in history] == [("confirmed", "nej", "ja")]

    # Changing a row confirms it too.
    v2 = entries["hov15-v2"]
    form = {"colour": "green", "remark": "Nu i mål", "version": v2["version"]}
    assert browser.send(Req.of_form(f"/raekker/{v2['entry_id']}", form)).status_code == 200
    after = browser.client.get(f"/api/reports/{ALLEROED}/{YEAR}").json()
    assert all(e["confirmed"] for e in after["entries"])
    assert not [m for m in after["missing"] if "Overført" in m["message"]]


# ---------------------------------------------------------------------------- submit


def test_submit_lists_exactly_what_is_missing(app: FastAPI, db: Database) -> None:
    make_round(db, YEAR)
    editor = quick_user(db, Role.EDITOR, municipality_code=ALLEROED)
    report = start(db, editor, ALLEROED, YEAR)
    with db.write() as session:
        rows = entries_by_key(session, report.id or 0)
        for key, colour in (("hov15-v1", "yellow"), ("hov15-v2", "green"), ("hov15-v4", "red")):
            data = EntryInput(colour, "", False, "", rows[key].version)
            save_entry(session, actor_of(editor), rows[key].id or 0, data, now=NOW)
    browser = open_browser(app, db, editor)
    expected = [
        ("hov15-v1", "Gul kræver en bemærkning."),
        ("hov15-v3", "SKAL-anbefalingen mangler en farve."),
        ("hov15-v4", "Rød kræver en bemærkning."),
        *[(key, "SKAL-anbefalingen mangler en farve.") for key in SKAL_KEYS[3:]],
    ]
    before = snapshot(db)

    response = browser.send(Req.of_form(f"/rapporter/{report.id}/indsend"))
    assert response.status_code == 422
    assert "Rapporten kan ikke indsendes endnu: 8 forhold mangler." in response.text
    # Each item links to its row and names the recommendation by its text, not an internal id.
    items = re.findall(r'<li><a href="#row-([\w-]+)">([^<]+)</a>: ([^<]+)</li>', response.text)
    assert all(not text.startswith("hov15-") for _key, text, _message in items)
    items = [(key, message) for key, _text, message in items]
    assert sorted(items) == sorted(expected)

    api = browser.send(Req.of_json("POST", f"/api/reports/{ALLEROED}/{YEAR}/submit", {}))
    assert api.status_code == 422
    assert sorted((m["recommendation_id"], m["message"]) for m in api.json()["missing"]) == sorted(expected)
    assert changed_tables(before, snapshot(db)) == []


def test_submitted_report_is_read_only_for_the_municipality(world: World) -> None:
    browser = world.browser(world.editor)
    response = browser.send(Req.of_form(f"/rapporter/{world.report.id}/indsend"))
    assert response.status_code == 204
    assert response.headers["HX-Redirect"] == PAGE
    assert world.fresh_report().state == "submitted"

    page = browser.client.get(PAGE).text
    assert "Indsendt" in page and "Farver og bemærkninger er låst" in page
    # Issue 16: the committee's fields stay open, and the page says so and why (not "skrivebeskyttet").
    assert "skrivebeskyttet" not in page
    assert "den politiske behandling nederst kan stadig udfyldes" in page
    assert 'id="committee_name"' in page
    assert 'hx-post="/raekker/' not in page
    assert "Indsend statusrapporten" not in page

    before = snapshot(world.db)
    typed = "En sen rettelse"
    refused = browser.send(row_request(world, "hov15-v1", "red", typed))
    assert refused.status_code == 409
    assert "Rapporten er indsendt og kan ikke ændres. En koordinator kan genåbne den." in refused.text
    assert typed in refused.text  # what the user typed is not thrown away
    api = browser.send(api_row_request(world, "hov15-v1", colour="red", remark=typed))
    assert api.status_code == 409
    assert "indsendt" in api.json()["detail"]
    again = browser.send(Req.of_form(f"/rapporter/{world.report.id}/indsend"))
    assert again.status_code == 409
    assert changed_tables(before, snapshot(world.db)) == []


def test_coordinator_reopens_a_submitted_report(world: World) -> None:
    editor = world.browser(world.frederiksberg_editor)
    assert editor.send(Req.of_form(f"/rapporter/{world.submitted.id}/genaabn")).status_code == 403

    coordinator = world.browser(world.coordinator)
    page = coordinator.client.get(f"/kommuner/147/{YEAR}").text
    assert "Genåbn rapporten for kommunen" in page
    response = coordinator.send(Req.of_form(f"/rapporter/{world.submitted.id}/genaabn", {"reason": "Ret V1"}))
    assert response.status_code == 204
    assert world.fresh_report(world.submitted).state == "in_progress"
    with world.db.read() as session:
        events = session.exec(select(ReportEvent).where(ReportEvent.report_id == world.submitted.id)).all()
    assert ("reopened", "Ret V1", world.coordinator.id) in [(e.event, e.detail, e.by_id) for e in events]

    row = world.entry("hov15-v1", world.submitted)
    form = {"colour": "yellow", "remark": "Rettet efter genåbning", "version": row.version}
    assert editor.send(Req.of_form(f"/raekker/{row.id}", form)).status_code == 200


# ---------------------------------------------------------------------------- committee


def committee_request(world: World, **form: object) -> Req:
    values = {
        "committee_name": "Beskæftigelsesudvalget",
        "committee_date": "2026-01-15",
        "agenda_url": "https://allerod.example/dagsorden/2026-01-15",
        "version": world.fresh_report().version,
        **form,
    }
    return Req.of_form(f"/rapporter/{world.report.id}/behandling", values)


def test_committee_date_name_and_link_are_recorded_also_after_submit(world: World) -> None:
    browser = world.browser(world.editor)
    response = browser.send(committee_request(world))
    assert response.status_code == 200
    assert "✓ Gemt" in response.text
    report = world.fresh_report()
    assert (report.committee_name, str(report.committee_date)) == ("Beskæftigelsesudvalget", "2026-01-15")
    assert report.agenda_url == "https://allerod.example/dagsorden/2026-01-15"

    assert browser.send(Req.of_form(f"/rapporter/{world.report.id}/indsend")).status_code == 204
    later = browser.send(committee_request(world, committee_name="Kommunalbestyrelsen", committee_date="2026-01-29"))
    assert later.status_code == 200
    assert world.fresh_report().committee_name == "Kommunalbestyrelsen"
    page = world.browser(world.reader).client.get(PAGE).text
    assert "Kommunalbestyrelsen" in page

    api = browser.send(
        Req.of_json(
            "PUT",
            f"/api/reports/{ALLEROED}/{YEAR}/committee",
            {"committee_name": "Byrådet", "committee_date": "2026-02-02", "version": world.fresh_report().version},
        )
    )
    assert api.status_code == 200
    assert world.fresh_report().committee_name == "Byrådet"


BAD_COMMITTEE_INPUT: list[tuple[dict[str, object], str]] = [
    ({"agenda_url": "javascript:alert(1)"}, "Linket skal være en webadresse"),
    ({"agenda_url": "ftp://allerod.example/x"}, "Linket skal være en webadresse"),
    ({"committee_date": "2999-01-01"}, "kan ikke ligge i fremtiden"),
    ({"committee_date": ""}, "Angiv datoen for behandlingen."),
    ({"committee_name": "  "}, "Skriv hvilket udvalg"),
    ({"committee_name": "Udvalg 010190-1234"}, "CPR-nummer"),
    ({"version": 0}, "ændret af en anden"),
]


def test_committee_refuses_bad_input_and_keeps_what_was_typed(world: World) -> None:
    browser = world.browser(world.editor)
    for form, message in BAD_COMMITTEE_INPUT:
        before = snapshot(world.db)
        request = committee_request(world, **form)
        response = browser.send(request)
        assert response.status_code in (409, 422), form
        assert message in response.text, form
        assert 'id="committee-form"' in response.text  # the form comes back with the error in it
        typed = str((request.form or {})["committee_name"]).strip()
        if typed:
            assert f'value="{typed}"' in response.text, form
        assert changed_tables(before, snapshot(world.db)) == [], form

        body = dict(request.form or {})
        body["committee_date"] = body["committee_date"] or None
        api = browser.send(Req.of_json("PUT", f"/api/reports/{ALLEROED}/{YEAR}/committee", body))
        assert api.status_code in (409, 422), form
        assert message in api.json()["detail"], form
        assert changed_tables(before, snapshot(world.db)) == [], form


# ---------------------------------------------------------------------------- rounds


def test_closed_round_refuses_saves(world: World) -> None:
    set_round_state(world.db, world.round.id or 0, RoundState.CLOSED)
    browser = world.browser(world.editor)
    before = snapshot(world.db)
    typed = "Efter fristen"
    response = browser.send(row_request(world, "hov15-v1", "red", typed))
    assert response.status_code == 409
    assert "Opfølgningsrunden for 2025 er ikke åben for indberetning." in response.text
    assert typed in response.text
    api = browser.send(api_row_request(world, "hov15-v1", colour="red", remark=typed))
    assert api.status_code == 409
    assert "ikke åben" in api.json()["detail"]
    assert browser.send(Req.of_form(f"/rapporter/{world.report.id}/indsend")).status_code == 409
    assert changed_tables(before, snapshot(world.db)) == []
    assert 'hx-post="/raekker/' not in browser.client.get(PAGE).text


# ---------------------------------------------------------------------------- history


def test_history_is_written_in_the_same_transaction_as_the_change(world: World) -> None:
    row = world.entry("hov15-v1")
    changes_before = count(world.db, StatusChange)
    browser = world.browser(world.editor)
    response = browser.send(row_request(world, "hov15-v1", "red", "Ny tekst"))
    assert response.status_code == 200
    saved = world.entry("hov15-v1")
    with world.db.read() as session:
        written = session.exec(
            select(StatusChange).where(StatusChange.entry_id == row.id).where(StatusChange.version == saved.version)
        ).all()
    assert {(w.field, w.old_value, w.new_value) for w in written} == {
        ("colour", "green", "red"),
        ("remark", "Som anbefalet.", "Ny tekst"),
    }
    assert all(w.changed_by_id == world.editor.id and w.changed_at == saved.updated_at for w in written)  # who and when
    assert count(world.db, StatusChange) == changes_before + 2

    # A save whose history cannot be written leaves the row as it was: the database refuses the
    # history insert, which comes after the row's UPDATE in the same transaction.
    before = snapshot(world.db)
    data = EntryInput("yellow", "Bør ikke gemmes", False, "", saved.version)
    refused = pytest.raises(DBAPIError, match=FAULT)
    with inserts_fail(world.db, "status_change"), refused, world.db.write() as session:
        save_entry(session, actor_of(world.editor), row.id or 0, data, now=NOW)
    assert changed_tables(before, snapshot(world.db)) == []
    assert remark_history(world.db, row.id or 0)[-1] == "Ny tekst"


def test_a_save_that_changes_nothing_writes_no_history(world: World) -> None:
    before = snapshot(world.db)
    response = world.browser(world.editor).send(row_request(world, "hov15-v1", "green", "Som anbefalet."))
    assert response.status_code == 200
    assert changed_tables(before, snapshot(world.db)) == []


def test_committee_can_be_recorded_after_the_round_closes_but_not_once_published(world: World) -> None:
    browser = world.browser(world.editor)
    set_round_state(world.db, world.round.id or 0, RoundState.CLOSED)
    assert browser.send(committee_request(world)).status_code == 200
    assert world.fresh_report().committee_name == "Beskæftigelsesudvalget"

    set_round_state(world.db, world.round.id or 0, RoundState.PUBLISHED)
    refused = browser.send(committee_request(world, committee_name="Byrådet"))
    assert refused.status_code == 409
    assert "offentliggjort" in refused.text
    assert world.fresh_report().committee_name == "Beskæftigelsesudvalget"
    assert 'name="committee_name"' not in browser.client.get(PAGE).text
