"""Review: send back with a comment -> the municipality sees it and resubmits -> approve; and the
report's timeline, shown to both sides."""

import re

from sqlmodel import col, select

from app.domain.vocabulary import MailState, ReportState
from app.models import OutboxMail, ReportEvent
from tests.scenarios import FREDERIKSBERG, YEAR, Req, World, changed_tables, snapshot

PAGE = f"/kommuner/{FREDERIKSBERG}/{YEAR}"
COMMENT = "Række V1 er grøn, men bemærkningen siger, at aftalen ikke er underskrevet. Ret farven eller teksten."


def send_back(world: World, comment: str = COMMENT) -> int:
    form = {"comment": comment, "code": FREDERIKSBERG, "year": YEAR}
    return (
        world.browser(world.coordinator)
        .send(Req.of_form(f"/rapporter/{world.submitted.id}/send-tilbage", form))
        .status_code
    )


def test_send_back_resubmit_approve_with_the_comment_shown_to_the_municipality(world: World) -> None:
    coordinator, editor = world.browser(world.coordinator), world.browser(world.frederiksberg_editor)
    assert "Send tilbage til kommunen" in coordinator.client.get(PAGE).text
    assert "Gennemsyn" not in editor.client.get(PAGE).text  # the municipality cannot review itself

    assert send_back(world) == 303

    assert world.fresh_report(world.submitted).state is ReportState.SENT_BACK
    page = editor.client.get(PAGE).text
    top = page.split('id="sent-back-title"')[1].split("</section>")[0]
    assert "Sendt tilbage af Kirsten Koordinator" in top
    assert COMMENT in top
    assert "Indsend statusrapporten" in page  # open for changes again
    # The municipality's editor is told by mail, with the comment and a link to the page.
    with world.db.read() as session:
        mail = session.exec(select(OutboxMail).where(OutboxMail.kind == "sent_back")).one()
    assert mail.to_address == world.frederiksberg_editor.email
    assert mail.subject == f"Statusrapporten for {YEAR} er sendt tilbage til Frederiksberg Kommune"
    assert COMMENT in mail.text_body and f"http://127.0.0.1:8000{PAGE}" in mail.text_body
    assert mail.state is MailState.PENDING

    # The municipality changes a row and submits again.
    row = world.entry("hov15-v1", world.submitted)
    form = {"colour": "yellow", "remark": "Aftalen underskrives i marts.", "version": row.version}
    assert editor.send(Req.of_form(f"/raekker/{row.id}", form)).status_code == 200
    assert editor.send(Req.of_form(f"/rapporter/{world.submitted.id}/indsend")).status_code == 204
    assert world.fresh_report(world.submitted).state is ReportState.SUBMITTED
    assert "sent-back-title" not in editor.client.get(PAGE).text  # the comment is answered

    response = coordinator.send(Req.of_form(f"/rapporter/{world.submitted.id}/godkend"))
    assert response.status_code == 303
    assert world.fresh_report(world.submitted).state is ReportState.APPROVED
    approved = editor.client.get(PAGE).text
    assert "Godkendt af koordinatoren" in approved
    assert "Indsend statusrapporten" not in approved  # read-only again

    kinds = [item["event"] for item in editor.client.get(f"/api/reports/{FREDERIKSBERG}/{YEAR}/timeline").json()]
    assert kinds == ["started", "submitted", "sent_back", "submitted", "approved"]


def test_the_timeline_is_shown_to_both_sides_with_the_reopen_reason(world: World) -> None:
    coordinator, editor = world.browser(world.coordinator), world.browser(world.frederiksberg_editor)
    reason = "Ret række V2: tallet for 2025 er byttet om."
    response = coordinator.send(Req.of_form(f"/rapporter/{world.submitted.id}/genaabn", {"reason": reason}))
    assert response.status_code == 204

    for browser in (coordinator, editor):
        html = browser.client.get(PAGE).text
        timeline = html.split('id="timeline-title"')[1].split("</section>")[0]
        labels = re.findall(r"<strong>([^<]+)</strong>", timeline)
        assert labels == ["Startet", "Indsendt", "Genåbnet"]
        assert reason in timeline
        assert "Kirsten Koordinator" in timeline and "Frida Frederiksberg" in timeline
    # Reopening mails the editors too, with the reason.
    with world.db.read() as session:
        mail = session.exec(select(OutboxMail).where(OutboxMail.kind == "reopened")).one()
    assert reason in mail.text_body and reason in mail.html_body


def test_a_comment_that_is_empty_too_long_or_holds_a_cpr_number_changes_nothing(world: World) -> None:
    cases = {
        "": "Skriv hvad kommunen skal rette",
        "x" * 2001: "højst 2.000 tegn",
        "Borgeren 010190-1234 er nævnt.": "CPR-nummer",
    }
    coordinator = world.browser(world.coordinator)
    for comment, message in cases.items():
        before = snapshot(world.db)
        form = {"comment": comment, "code": FREDERIKSBERG, "year": YEAR}
        response = coordinator.send(Req.of_form(f"/rapporter/{world.submitted.id}/send-tilbage", form), htmx=False)
        assert response.status_code == 422, comment[:20]
        assert message in response.text
        assert 'id="comment-error"' in response.text  # next to the field
        if comment:
            assert comment[:30] in response.text  # the text is kept
        assert changed_tables(before, snapshot(world.db)) == []


def test_review_is_refused_where_the_rules_say_so(world: World) -> None:
    coordinator = world.browser(world.coordinator)
    # Allerød is in progress: nothing to review.
    for path in ("godkend", "send-tilbage"):
        form = {"comment": "x", "code": 201, "year": YEAR} if path == "send-tilbage" else {}
        response = coordinator.send(Req.of_form(f"/rapporter/{world.report.id}/{path}", form), htmx=False)
        assert response.status_code == 409, path
    api = coordinator.client.post(
        f"/api/reports/{FREDERIKSBERG}/{YEAR}/approve", headers={"X-CSRF-Token": coordinator.token}
    )
    assert api.status_code == 200 and api.json()["state"] == "approved"
    again = coordinator.client.post(
        f"/api/reports/{FREDERIKSBERG}/{YEAR}/send-back",
        json={"comment": "For sent"},
        headers={"X-CSRF-Token": coordinator.token},
    )
    assert again.status_code == 409
    assert again.json()["detail"] == "Kun en indsendt rapport, der ikke er godkendt, kan sendes tilbage."
    # A coordinator can still reopen an approved report.
    reopen = coordinator.client.post(
        f"/api/reports/{FREDERIKSBERG}/{YEAR}/reopen", json={"reason": ""}, headers={"X-CSRF-Token": coordinator.token}
    )
    assert reopen.status_code == 200 and reopen.json()["state"] == "in_progress"


def test_a_sent_back_report_is_hidden_again_from_other_municipalities(world: World) -> None:
    other = world.browser(world.editor)  # Allerød
    assert other.client.get(PAGE).status_code == 200  # submitted reports are shared
    send_back(world)
    assert other.client.get(PAGE).status_code == 404
    with world.db.read() as session:
        events = session.exec(
            select(ReportEvent.event).where(ReportEvent.report_id == world.submitted.id).order_by(col(ReportEvent.id))
        ).all()
    assert events[-1] == "sent_back"
