"""Kept rendered: a change queues a render (debounced), the worker job renders it, a reader gets
the render of exactly the data the report shows now, never an older one as current."""

from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import delete
from sqlmodel import select

from app.domain.accounts import actor_of
from app.domain.documents import renders
from app.domain.documents.renders import KKR, municipality_subject
from app.domain.reports.commands import EntryInput, save_entry, submit_report
from app.models import RenderRequest, ReportRender
from app.pdf.jobs import render_due_reports
from app.pdf.renderer import RenderedPdf, renderer
from tests.factories import ALLEROED, NOW, entry
from tests.pdf_tools import pdf_text
from tests.scenarios import World

LATER = NOW + timedelta(minutes=1)


def _requests(world: World) -> dict[str, RenderRequest]:
    with world.db.read() as session:
        return {r.subject: r for r in session.exec(select(RenderRequest))}


def _clear_requests(world: World) -> None:
    """Forget the renders the world's own saves asked for, so a test sees only its own."""
    with world.db.write() as session:
        session.execute(delete(RenderRequest))


def _render_here(html: str) -> RenderedPdf:
    return renderer().render(html)


def _save(world: World, key: str, colour: str, remark: str, *, now: datetime = NOW) -> None:
    row = entry(world.db, world.report.id or 0, key)
    with world.db.write() as session:
        save_entry(
            session, actor_of(world.editor), row.id or 0, EntryInput(colour, remark, False, "", row.version), now=now
        )


def test_a_save_queues_the_municipalitys_render_and_a_burst_is_one_request(world: World) -> None:
    _save(world, "hov15-v1", "yellow", "Første udkast.")
    _save(world, "hov15-v1", "yellow", "Andet udkast.", now=NOW + timedelta(seconds=2))
    queued = _requests(world)
    request = queued[municipality_subject(ALLEROED)]
    assert request.first_requested_at == NOW
    assert request.due_at == NOW + timedelta(seconds=2) + renders.DEBOUNCE
    # A steady stream of saves is not put off for ever.
    _save(world, "hov15-v1", "red", "Tredje.", now=NOW + renders.MAX_WAIT)
    assert _requests(world)[municipality_subject(ALLEROED)].due_at == NOW + renders.MAX_WAIT
    # Nothing is due before the debounce has passed.
    with world.db.write() as session:
        assert renders.claim_due(session, now=NOW) is None


def test_the_worker_renders_what_is_due_and_the_reader_gets_exactly_that(world: World, tmp_path: Path) -> None:
    coordinator = world.browser(world.coordinator)
    url = f"/runder/{world.round.id}/rapport.pdf"
    # Nothing rendered yet: the reader is told it is being made, and a render is asked for at once.
    waiting = coordinator.client.get(url)
    assert waiting.status_code == 503
    assert "PDF'en dannes" in waiting.text
    assert waiting.headers["retry-after"] == "5"
    assert render_due_reports(world.db, LATER, render=_render_here) >= 1

    ready = coordinator.client.get(url)
    assert ready.status_code == 200
    assert ready.headers["content-type"] == "application/pdf"
    assert "1 af 29 kommuner har indsendt" in pdf_text(ready.content, tmp_path)
    etag = ready.headers["etag"]
    unchanged = coordinator.client.get(url, headers={"If-None-Match": etag})
    assert unchanged.status_code == 304

    # Allerød submits: the data change, so the old render is no longer served as current.
    with world.db.write() as session:
        submit_report(session, actor_of(world.editor), world.report.id or 0, now=LATER)
    stale = coordinator.client.get(url, headers={"If-None-Match": etag})
    assert stale.status_code == 503
    page = coordinator.client.get(f"/runder/{world.round.id}/rapport")
    assert "PDF'en dannes med de seneste ændringer" in page.text
    assert "Hent den tidligere udgave" in page.text
    with world.db.read() as session:
        earlier = session.exec(select(ReportRender.id).where(ReportRender.subject == KKR)).first()
    old = coordinator.client.get(f"{url}?udgave={earlier}")
    assert old.status_code == 200 and "1 af 29 kommuner" in pdf_text(old.content, tmp_path)

    assert render_due_reports(world.db, LATER + timedelta(minutes=1), render=_render_here) >= 1
    fresh = coordinator.client.get(url)
    assert fresh.status_code == 200 and fresh.headers["etag"] != etag
    assert "2 af 29 kommuner har indsendt" in pdf_text(fresh.content, tmp_path)
    assert "Hent PDF" in coordinator.client.get(f"/runder/{world.round.id}/rapport").text


def test_a_request_whose_data_did_not_change_is_settled_without_rendering(world: World) -> None:
    calls: list[str] = []

    def counting(html: str) -> RenderedPdf:
        calls.append(html)
        return RenderedPdf(b"%PDF-1.7 fake", 1, 0.01)

    with world.db.write() as session:
        renders.request_render(session, world.round.id or 0, KKR, now=NOW, debounce=timedelta(0))
    assert render_due_reports(world.db, NOW, render=counting) == 1
    with world.db.write() as session:
        renders.request_render(session, world.round.id or 0, KKR, now=NOW, debounce=timedelta(0))
    assert render_due_reports(world.db, NOW, render=counting) == 0
    assert len(calls) == 1
    assert KKR not in _requests(world)


def test_a_change_during_a_render_leaves_the_request_for_the_next_pass(world: World) -> None:
    with world.db.write() as session:
        renders.request_render(session, world.round.id or 0, KKR, now=NOW, debounce=timedelta(0))
    with world.db.write() as session:
        claim = renders.claim_due(session, now=NOW)
    assert claim is not None
    with world.db.write() as session:  # another worker sees it as taken
        assert renders.claim_due(session, now=NOW) is None
    with world.db.write() as session:  # a save arrives while it renders
        renders.request_render(session, world.round.id or 0, KKR, now=NOW + timedelta(seconds=1))
    with world.db.write() as session:
        renders.store_render(session, claim, data_key="k1", pdf=b"%PDF", pages=1, render_ms=5, now=NOW)
    assert _requests(world)[KKR].claimed_until is None  # still queued, for the newer data


def test_a_report_that_keeps_changing_does_not_keep_the_head_of_the_queue(world: World) -> None:
    """An editor saving all morning: each render of the municipality's report finds a newer change.
    The consolidated report, asked for by a reader meanwhile, is rendered next, not after it."""
    round_id, alleroed = world.round.id or 0, municipality_subject(ALLEROED)
    with world.db.write() as session:
        session.execute(delete(RenderRequest))
        renders.request_render(session, round_id, alleroed, now=NOW, debounce=timedelta(0))
    with world.db.write() as session:
        claim = renders.claim_due(session, now=NOW)
    assert claim is not None and claim.subject == alleroed
    rendered_at = NOW + renders.MAX_WAIT + timedelta(seconds=5)  # a slow render on a busy machine
    with world.db.write() as session:  # while it renders: more saves, and a reader asks for the KKR's
        renders.request_render(session, round_id, alleroed, now=NOW + timedelta(seconds=20))
        renders.request_render(session, round_id, KKR, now=NOW + timedelta(seconds=31), debounce=timedelta(0))
    with world.db.write() as session:
        renders.store_render(session, claim, data_key="k1", pdf=b"%PDF", pages=1, render_ms=5, now=rendered_at)
    waiting = _requests(world)[alleroed]
    assert waiting.claimed_until is None and waiting.first_requested_at == rendered_at
    with world.db.write() as session:  # and the editor saves on
        renders.request_render(session, round_id, alleroed, now=rendered_at + timedelta(seconds=1))
    with world.db.write() as session:  # both are due; the reader's has waited longer
        following = renders.claim_due(session, now=rendered_at + timedelta(seconds=5))
    assert following is not None and following.subject == KKR


def test_a_failed_render_is_retried_later(world: World) -> None:
    def broken(html: str) -> RenderedPdf:
        raise RuntimeError("ingen skrifttype")

    _clear_requests(world)
    with world.db.write() as session:
        renders.request_render(session, world.round.id or 0, KKR, now=NOW, debounce=timedelta(0))
    assert render_due_reports(world.db, NOW, render=broken, clock=lambda: NOW) == 0
    request = _requests(world)[KKR]
    assert "ingen skrifttype" in request.last_error
    with world.db.write() as session:
        assert renders.claim_due(session, now=NOW + timedelta(seconds=10)) is None
        assert renders.claim_due(session, now=NOW + renders.LEASE + timedelta(seconds=1)) is not None


def test_only_the_newest_renders_are_kept(world: World) -> None:
    for index in range(renders.KEEP + 2):
        with world.db.write() as session:
            renders.request_render(session, world.round.id or 0, KKR, now=NOW, debounce=timedelta(0))
            claim = renders.claim_due(session, now=NOW)
            assert claim is not None
            renders.store_render(
                session,
                claim,
                data_key=f"k{index}",
                pdf=b"%PDF",
                pages=1,
                render_ms=1,
                now=NOW + timedelta(seconds=index),
            )
    with world.db.read() as session:
        kept = session.exec(select(ReportRender.data_key)).all()
    assert sorted(kept) == [f"k{index}" for index in range(2, renders.KEEP + 2)]


def test_an_earlier_render_is_offered_only_to_those_who_work_on_the_report(world: World) -> None:
    # The consolidated report is rendered as a draft; then its texts change. The coordinator may
    # fetch the draft render by its number; once the round is published, a reader may not.
    _clear_requests(world)
    with world.db.write() as session:
        renders.request_render(session, world.round.id or 0, KKR, now=NOW, debounce=timedelta(0))
    render_due_reports(world.db, NOW, render=lambda html: RenderedPdf(b"%PDF-1.7 draft", 1, 0.01))
    with world.db.read() as session:
        draft = session.exec(select(ReportRender.id).where(ReportRender.subject == KKR)).one()
    with world.db.write() as session:  # the texts change: the draft render is no longer current
        from app.domain.documents.texts import save_round_text

        save_round_text(session, actor_of(world.coordinator), world.round.id or 0, "summary", "Ny.", version=0, now=NOW)
    url = f"/runder/{world.round.id}/rapport.pdf?udgave={draft}"
    assert world.browser(world.coordinator).client.get(url).status_code == 200
    from app.domain.vocabulary import RoundState
    from tests.factories import set_round_state

    set_round_state(world.db, world.round.id or 0, RoundState.PUBLISHED)  # readers may read it now
    refused = world.browser(world.reader).client.get(url)
    assert refused.status_code == 404
    assert b"draft" not in refused.content
    page = world.browser(world.reader).client.get(f"/runder/{world.round.id}/rapport")
    assert "tidligere udgave" not in page.text
