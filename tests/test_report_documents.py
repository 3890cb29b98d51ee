"""The consolidated report and the council's report, read back from the PDFs as a reader's tools
see them: every recommendation, every municipality, the right counts, hostile remarks as text,
tagged PDF/UA, nothing fetched from outside the app; publish freezes the content."""

from pathlib import Path

import page
import pytest
from pdfua import Severity, validate
from sqlmodel import select

from app.domain.accounts import actor_of
from app.domain.documents.reading import consolidated_for, council_for
from app.domain.documents.renders import claim_due
from app.domain.publish import publish_round
from app.domain.reports.commands import EntryInput, reopen_report, save_entry, submit_report
from app.domain.vocabulary import RoundState
from app.models import Municipality, Recommendation
from app.pdf.documents import render_document
from app.pdf.fetcher import StaticOnlyFetcher
from app.pdf.renderer import renderer
from tests.factories import ALLEROED, NOW, entry, set_round_state
from tests.pdf_tools import pdf_pages, pdf_text, pdfinfo, start_listener, words
from tests.scenarios import World

HOSTILE = '<img src="file:///etc/passwd"> <b>fed</b> & <script>alert(1)</script>'


def _hostile_remark(listener_url: str) -> str:
    return f'{HOSTILE} <link rel="stylesheet" href="{listener_url}/x.css"> <img src="{listener_url}/y.png">'


def submit_allerod_with_remarks(world: World, remark: str) -> None:
    """Allerød's report: a red SKAL row with ``remark``, a yellow one, then submitted."""
    assert world.report.id is not None
    actor = actor_of(world.editor)
    with world.db.write() as session:
        for key, colour, text in (("hov15-v1", "red", remark), ("hov15-v2", "yellow", "Delvist i gang.")):
            row = entry(world.db, world.report.id, key)
            assert row.id is not None
            save_entry(session, actor, row.id, EntryInput(colour, text, False, "", row.version), now=NOW)
        submit_report(session, actor, world.report.id, now=NOW)


def consolidated_pdf(world: World) -> bytes:
    with world.db.read() as session:
        report = consolidated_for(session, actor_of(world.coordinator), world.round.id or 0).report
    return render_document(report).pdf


def test_consolidated_report_shows_every_recommendation_municipality_and_count(world: World, tmp_path: Path) -> None:
    listener = start_listener()
    try:
        submit_allerod_with_remarks(world, _hostile_remark(listener.url))
        fetcher = renderer().fetcher
        refused_before = len(fetcher.refused)
        pdf = consolidated_pdf(world)
    finally:
        listener.close()
    text = pdf_text(pdf, tmp_path)

    assert "2 af 29 kommuner har indsendt deres status" in text
    with world.db.read() as session:
        recommendations = session.exec(select(Recommendation).where(Recommendation.key.startswith("hov15"))).all()
        municipalities = session.exec(select(Municipality).where(Municipality.kkr_id == world.round.kkr_id)).all()
    assert len(recommendations) == 16 and len(municipalities) == 29
    for rec in recommendations:
        assert words(rec.text) in text, rec.key
    for municipality in municipalities:
        assert municipality.name in text, municipality.name
    # The hostile remark is printed as the text it is; nothing it names was fetched.
    assert words(HOSTILE) in text
    assert f"{listener.url}/y.png" in text
    assert listener.connections == []
    assert fetcher.refused[refused_before:] == []  # escaped, so never even asked for
    # The counts: Frederiksberg 8 SKAL rows green; Allerød 6 green, 1 yellow, 1 red; every other
    # cell of the 29 × 16 not reported.
    assert "alle: 14 grøn, 1 gul, 1 rød, 448 ikke indberettet" in text
    assert "27 af 29 kommuner havde ikke indsendt" in text

    info = pdfinfo(pdf, tmp_path)
    assert info["Tagged"] == "yes"
    assert info["Title"] == "KKR Hovedstaden: samlet afrapportering 2025"
    path = tmp_path / "checked.pdf"
    path.write_bytes(pdf)
    assert page.validate_pdf(path, profile="ua1").is_compliant
    report = validate(str(path))
    assert [f.rule_id for f in report.findings if f.severity is Severity.ERROR] == []


def test_the_renderer_fetches_nothing_outside_the_apps_static_files(tmp_path: Path) -> None:
    listener = start_listener()
    try:
        html = (
            '<!doctype html><html lang="da"><head><title>Prøve</title>'
            f'<link rel="stylesheet" href="{listener.url}/evil.css"></head><body><h1>Prøve</h1>'
            f'<img src="file:///etc/passwd" alt="x"><img src="{listener.url}/evil.png" alt="y">'
            '<img src="../../etc/passwd" alt="z"></body></html>'
        )
        rendered = renderer().render(html)
    finally:
        listener.close()
    assert listener.connections == []
    refused = renderer().fetcher.refused
    assert "file:///etc/passwd" in refused
    assert f"{listener.url}/evil.png" in refused
    assert "root:" not in pdf_text(rendered.pdf, tmp_path)


def test_the_fetcher_serves_static_fonts_only() -> None:
    fetcher = StaticOnlyFetcher()
    font = fetcher.fetch(fetcher.base_url + "fonts/IBMPlexSans-Regular.ttf")
    assert font.read()[:4] == b"\x00\x01\x00\x00"
    for url in (
        "file:///etc/passwd",
        fetcher.base_url + "../pyproject.toml",
        fetcher.base_url + "app.js",
        "data:text/plain,hello",
        "http://127.0.0.1:9/x.css",
    ):
        with pytest.raises(ValueError, match="static"):
            fetcher.fetch(url)


def test_council_report_shows_the_rows_last_year_and_the_kkr_once_closed(world: World, tmp_path: Path) -> None:
    submit_allerod_with_remarks(world, "Ikke igangsat endnu.\n\nAfventer fælles model.")
    actor = actor_of(world.editor)
    with world.db.read() as session:
        open_report = council_for(session, actor, ALLEROED, 2025).report
    text = pdf_text(render_document(open_report).pdf, tmp_path)
    assert "Allerød Kommune: status på anbefalingerne 2025" in text
    assert "Rød" in text and "Ikke igangsat endnu." in text and "Afventer fælles model." in text
    assert "Vises, når runden er lukket." in text

    set_round_state(world.db, world.round.id or 0, RoundState.CLOSED)
    with world.db.read() as session:
        closed = council_for(session, actor, ALLEROED, 2025).report
    assert closed.shows_kkr and closed.kkr_submitted == 2
    first = closed.rows[0]
    assert first.kkr is not None and first.kkr.red == 1 and first.kkr.green == 1 and first.kkr.not_reported == 27
    pdf = render_document(closed).pdf
    text = pdf_text(pdf, tmp_path)
    assert "2 af 29 kommuner har indsendt" in text
    assert "1 rød" in text
    assert pdfinfo(pdf, tmp_path)["Tagged"] == "yes"


def test_published_report_is_the_same_page_for_page_after_statuses_change(world: World, tmp_path: Path) -> None:
    submit_allerod_with_remarks(world, "Rød før offentliggørelsen.")
    round_id = world.round.id or 0
    set_round_state(world.db, round_id, RoundState.CLOSED)
    coordinator = actor_of(world.coordinator)
    with world.db.write() as session:
        publish_round(session, coordinator, round_id, now=NOW)
    published = pdf_pages(consolidated_pdf(world), tmp_path)
    assert "Offentliggjort 20. januar 2026" in published[0]

    # The rows change behind the published report: reopened, recoloured, resubmitted.
    set_round_state(world.db, round_id, RoundState.OPEN)
    with world.db.write() as session:
        reopen_report(session, coordinator, world.report.id or 0, now=NOW, reason="Ret række 1.")
    with world.db.write() as session:
        row = entry(world.db, world.report.id or 0, "hov15-v1")
        save_entry(
            session,
            actor_of(world.editor),
            row.id or 0,
            EntryInput("green", "Grøn bagefter.", False, "", row.version),
            now=NOW,
        )
        submit_report(session, actor_of(world.editor), world.report.id or 0, now=NOW)
    set_round_state(world.db, round_id, RoundState.PUBLISHED)

    again = pdf_pages(consolidated_pdf(world), tmp_path)
    assert again == published
    assert "Grøn bagefter." not in " ".join(again)
    with world.db.read() as session:
        council = council_for(session, coordinator, ALLEROED, 2025)
    assert council.frozen and council.report.rows[0].remark == "Rød før offentliggørelsen."


def test_publish_needs_a_closed_round_and_the_kkrs_coordinator(world: World) -> None:
    from app.domain.errors import NotAllowedNow, NotFound

    far = actor_of(world.far_coordinator)
    with world.db.write() as session, pytest.raises(NotAllowedNow, match="Luk runden"):
        publish_round(session, actor_of(world.coordinator), world.round.id or 0, now=NOW)
    set_round_state(world.db, world.round.id or 0, RoundState.CLOSED)
    with world.db.write() as session, pytest.raises(NotFound):
        publish_round(session, far, world.round.id or 0, now=NOW)
    with world.db.write() as session:
        publish_round(session, actor_of(world.coordinator), world.round.id or 0, now=NOW)
    with world.db.write() as session, pytest.raises(NotAllowedNow, match="allerede"):
        publish_round(session, actor_of(world.coordinator), world.round.id or 0, now=NOW)
    with world.db.write() as session:
        claim = claim_due(session, now=NOW.replace(year=2027))
    assert claim is not None  # publishing queued the renders
