"""The coordinator's texts: written in the browser, saved as they are typed (HTMX), with the
version check and the CPR guard, and printed in the consolidated report; the report pages."""

from sqlmodel import select

from app.domain.vocabulary import RoundState
from app.models import RoundText
from tests.factories import ALLEROED, NOW, set_round_state
from tests.scenarios import FREDERIKSBERG, YEAR, Req, World


def _save(world: World, section: str, text: str, version: int, user: object = None) -> object:
    browser = world.browser(user or world.coordinator)  # type: ignore[arg-type]
    return browser.send(
        Req.of_form(f"/runder/{world.round.id}/tekster", {"section": section, "text": text, "version": version})
    )


def _texts(world: World) -> dict[str, RoundText]:
    with world.db.read() as session:
        return {text.section: text for text in session.exec(select(RoundText))}


def test_coordinator_writes_the_summary_and_it_is_in_the_report(world: World) -> None:
    page = world.browser(world.coordinator).client.get(f"/runder/{world.round.id}/tekster")
    assert page.status_code == 200
    for title in ("Sammenfatning", "Iagttagelser: Virksomhedsrettede indsatser", "Forslag til nye anbefalinger"):
        assert title in page.text
    saved = _save(world, "summary", "Første afsnit.\n\nAndet afsnit med <b>fed</b>.", 0)
    assert saved.status_code == 200  # type: ignore[attr-defined]
    assert "✓ Gemt" in saved.text  # type: ignore[attr-defined]
    assert 'name="version" value="1"' in saved.text  # type: ignore[attr-defined]
    again = _save(world, "summary", "Første afsnit.\n\nAndet afsnit med <b>fed</b>.\n\nTredje.", 1)
    assert again.status_code == 200  # type: ignore[attr-defined]
    assert _texts(world)["summary"].version == 2

    report = world.browser(world.coordinator).client.get(f"/runder/{world.round.id}/rapport")
    assert report.status_code == 200
    assert '<p class="prose">Andet afsnit med &lt;b&gt;fed&lt;/b&gt;.</p>' in report.text
    assert '<p class="prose">Tredje.</p>' in report.text
    assert "Skriv koordinationsgruppens tekster" in report.text


def test_a_stale_save_is_refused_with_the_other_text_shown(world: World) -> None:
    _save(world, "adjustments", "Min tekst.", 0)
    _save(world, "adjustments", "Kollegaens tekst.", 1)
    stale = _save(world, "adjustments", "Min gamle udgave.", 1)
    assert stale.status_code == 409  # type: ignore[attr-defined]
    assert "Ikke gemt." in stale.text and "Kollegaens tekst." in stale.text  # type: ignore[attr-defined]
    assert 'name="version" value="2"' in stale.text  # type: ignore[attr-defined]
    assert _texts(world)["adjustments"].text == "Kollegaens tekst."


def test_a_text_with_a_cpr_number_is_refused_and_nothing_is_saved(world: World) -> None:
    refused = _save(world, "summary", "Borgeren 010190-1234 har klaget.", 0)
    assert refused.status_code == 422  # type: ignore[attr-defined]
    assert "CPR-nummer" in refused.text  # type: ignore[attr-defined]
    assert _texts(world) == {}
    unknown = _save(world, "area:findes-ikke", "Tekst.", 0)
    assert unknown.status_code == 422  # type: ignore[attr-defined]


def test_texts_are_the_kkrs_coordinators_and_frozen_once_published(world: World) -> None:
    for user in (world.far_coordinator, world.editor, world.reader):
        response = _save(world, "summary", "Uvedkommende.", 0, user)
        assert response.status_code == 404, user.email  # type: ignore[attr-defined]
        assert world.browser(user).client.get(f"/runder/{world.round.id}/rapport").status_code == 404
    assert _texts(world) == {}
    set_round_state(world.db, world.round.id or 0, RoundState.PUBLISHED)
    frozen = _save(world, "summary", "For sent.", 0)
    assert frozen.status_code == 409  # type: ignore[attr-defined]
    assert "offentliggjort" in frozen.text  # type: ignore[attr-defined]
    # Published: every user may read the consolidated report.
    assert world.browser(world.reader).client.get(f"/runder/{world.round.id}/rapport").status_code == 200


def test_council_report_page_follows_the_reports_access(world: World) -> None:
    own = world.browser(world.editor).client.get(f"/kommuner/{ALLEROED}/{YEAR}/rapport")
    assert own.status_code == 200
    assert "Allerød Kommune: status på anbefalingerne 2025" in own.text
    assert "Dan PDF til dagsordenen" in own.text
    assert world.browser(world.other_editor).client.get(f"/kommuner/{ALLEROED}/{YEAR}/rapport").status_code == 404
    assert world.browser(world.other_editor).client.get(f"/kommuner/{ALLEROED}/{YEAR}/rapport.pdf").status_code == 404
    submitted = world.browser(world.reader).client.get(f"/kommuner/{FREDERIKSBERG}/{YEAR}/rapport")
    assert submitted.status_code == 200 and "Som anbefalet." in submitted.text
    assert "Samlet afrapportering 2025" in world.browser(world.coordinator).client.get("/").text
    assert "Samlet afrapportering 2025" not in world.browser(world.editor).client.get("/").text


def test_absurd_numbers_in_report_urls_get_a_message_not_a_500(world: World) -> None:
    browser = world.browser(world.coordinator)
    for url in (
        "/runder/99999999999999999/rapport",
        "/runder/1/rapport.pdf?udgave=99999999999999999",
        "/kommuner/201/99999/rapport.pdf",
        "/runder/0/tekster",
    ):
        response = browser.client.get(url)
        assert response.status_code == 422, url
        assert "Ugyldig anmodning" in response.text
    assert browser.client.get("/runder/424242/rapport").status_code == 404


def test_council_report_shows_last_years_colour_beside_each_row(world: World) -> None:
    from app.domain.accounts import actor_of
    from app.domain.documents.reading import council_for
    from app.domain.reports.commands import EntryInput, save_entry
    from tests.factories import entry, make_round, start

    make_round(world.db, 2024)
    last_year = start(world.db, world.editor, ALLEROED, 2024)
    row = entry(world.db, last_year.id or 0, "hov15-v1")
    with world.db.write() as session:
        data = EntryInput("yellow", "Sidste år.", False, "", row.version)
        save_entry(session, actor_of(world.editor), row.id or 0, data, now=NOW)
    with world.db.read() as session:
        report = council_for(session, actor_of(world.editor), ALLEROED, YEAR).report
    # The world's own earlier statuses may stand in for ours (the latest earlier report counts).
    first = report.rows[0].last_year
    assert first is not None and first.label in ("Gul", "Grøn")
    page = world.browser(world.editor).client.get(f"/kommuner/{ALLEROED}/{YEAR}/rapport")
    assert "Sidste år (2024)" in page.text and f"{first.shape}</span> {first.label}" in page.text


def test_pdf_status_fragment_says_whether_the_pdf_is_ready(world: World) -> None:
    fragment = world.browser(world.coordinator).client.get(f"/runder/{world.round.id}/rapport/pdf-status")
    assert fragment.status_code == 200
    assert 'id="pdf-status"' in fragment.text and "<html" not in fragment.text
    assert "PDF'en dannes med de seneste ændringer" in fragment.text
    assert 'hx-trigger="every 3s"' in fragment.text
