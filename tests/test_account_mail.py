"""Invitations and password resets end to end: the mail is read from a real SMTP server
(aiosmtpd) started by the test, its link followed in the app, the password chosen, and the
user logged in; and every way a link can be bad."""

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.message import Message
from urllib.parse import urlsplit

import pytest
from httpx2 import Response
from sqlmodel import col, select

from app import deps
from app.config import Settings
from app.db import Database
from app.domain.vocabulary import AuditAction, LinkPurpose
from app.mail.sender import send_due_mail
from app.models import AccountLink, AuditEvent, OutboxMail, User, UserSession
from app.security.tokens import token_hash
from app.worker import forget_sent_account_links
from tests.dump import dump_database
from tests.factories import ALLEROED
from tests.scenarios import Browser, Req, World, changed_tables, open_browser, snapshot
from tests.smtp import SmtpServer, body_of, smtp_server

NEW_PASSWORD = "en lang og god sætning om fremdrift"
LINK = re.compile(r"https?://[^\s\"<>]+(/adgangskode/[A-Za-z0-9_\-]+)")


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with smtp_server() as server:
        yield server


def deliver(db: Database, smtp: SmtpServer, settings: Settings) -> list[Message]:
    """Run the outbox sender once against the test's SMTP server; the mails it received."""
    before = len(smtp.recorder.messages)
    mail_settings = settings.model_copy(
        update={"smtp_host": smtp.host, "smtp_port": smtp.port, "smtp_security": "none"}
    )
    report = send_due_mail(db, datetime.now(UTC) + timedelta(seconds=1), settings=mail_settings)
    assert report.failed == 0, report
    return smtp.recorder.messages[before:]


def link_path(message: Message) -> str:
    text = body_of(message, "plain")
    found = LINK.search(text)
    assert found, text
    assert found.group(1) in body_of(message, "html")
    return found.group(1)


def invite(browser: Browser, **form: str) -> str:
    values = {"email": "ny.redaktoer@alleroed.dk", "name": "Nina Ny", "role": "editor", "municipality": str(ALLEROED)}
    response = browser.send(Req.of_form("/brugere", values | form), csrf="field", htmx=False)
    assert response.status_code == 303, response.text[:2000]
    location: str = response.headers["location"]
    return location


def choose(browser: Browser, path: str, password: str = NEW_PASSWORD, again: str | None = None) -> Response:
    form = {"password": password, "password_again": password if again is None else again}
    return browser.send(Req.of_form(path, form), csrf="field", htmx=False)


def log_in(browser: Browser, email: str, password: str) -> int:
    response = browser.send(Req.of_form("/login", {"email": email, "password": password}), csrf="field", htmx=False)
    return response.status_code


def audit_actions(db: Database, email: str) -> list[AuditAction]:
    with db.read() as session:
        user = session.exec(select(User).where(User.email == email)).one()
        rows = session.exec(select(AuditEvent).where(AuditEvent.subject_id == user.id).order_by(col(AuditEvent.id)))
        return [row.action for row in rows]


# ---------------------------------------------------------------------------- invitation


def test_coordinator_invites_an_editor_who_chooses_a_password_and_logs_in(
    world: World, smtp: SmtpServer, settings: Settings
) -> None:
    coordinator = world.browser(world.coordinator)
    location = invite(coordinator)
    page = coordinator.client.get(location)
    assert "Brugeren er oprettet, og invitationen er sendt." in page.text
    assert "Inviteret" in page.text

    [mail] = deliver(world.db, smtp, settings)
    assert mail["To"] == "ny.redaktoer@alleroed.dk"
    assert mail["Subject"] == "Du er inviteret til Fremdrift"
    text = body_of(mail, "plain")
    assert "Kirsten Koordinator har oprettet en konto til dig" in text
    assert "Redaktør i kommunen (Allerød)" in text
    assert "linket virker én gang, i 72 timer" in text
    path = link_path(mail)

    # Only the hash of the token is in the link table; once the mail is sent, the outbox's
    # copy loses the token too, and no table holds it.
    token = path.rsplit("/", 1)[1]
    with world.db.read() as session:
        link = session.exec(select(AccountLink)).one()
    assert link.token_hash == token_hash(token)
    assert forget_sent_account_links(world.db, datetime.now(UTC)) == 1
    assert token not in repr(dump_database(world.db))
    with world.db.read() as session:
        kept = session.exec(select(OutboxMail)).one()
    assert "/adgangskode/fjernet-efter-afsendelse" in kept.text_body
    assert "/adgangskode/fjernet-efter-afsendelse" in kept.html_body

    newcomer = open_browser(world.app, world.db)
    form = newcomer.client.get(path)
    assert form.status_code == 200
    assert "Velkommen til Fremdrift" in form.text
    assert "ny.redaktoer@alleroed.dk" in form.text
    done = choose(newcomer, path)
    assert done.status_code == 303
    assert done.headers["location"] == f"/kommuner/{ALLEROED}/2025"
    report = newcomer.client.get(f"/kommuner/{ALLEROED}/2025")
    assert report.status_code == 200
    assert "Nina Ny" in report.text

    # The link works once.
    again = open_browser(world.app, world.db)
    used = again.client.get(path)
    assert used.status_code == 410
    assert "Linket er allerede brugt." in used.text
    before = snapshot(world.db)
    reuse = choose(again, path, "et helt andet kodeord til fremdrift")
    assert reuse.status_code == 410
    assert changed_tables(before, snapshot(world.db)) == []

    # And the password is the one chosen.
    assert log_in(open_browser(world.app, world.db), "ny.redaktoer@alleroed.dk", NEW_PASSWORD) == 303
    assert audit_actions(world.db, "ny.redaktoer@alleroed.dk") == [
        AuditAction.CREATED,
        AuditAction.INVITED,
        AuditAction.PASSWORD_CHOSEN,
    ]


def test_an_invited_user_cannot_log_in_before_choosing_a_password(world: World, settings: Settings) -> None:
    invite(world.browser(world.admin))
    with world.db.read() as session:
        user = session.exec(select(User).where(User.email == "ny.redaktoer@alleroed.dk")).one()
    assert user.password_hash is None
    assert log_in(open_browser(world.app, world.db), user.email, "") in (401, 422)
    assert log_in(open_browser(world.app, world.db), user.email, "hvad som helst her") == 401


def test_a_new_invitation_makes_the_old_link_stop_working(world: World, smtp: SmtpServer, settings: Settings) -> None:
    admin = world.browser(world.admin)
    location = invite(admin)
    [first] = deliver(world.db, smtp, settings)
    resent = admin.send(Req.of_form(f"{location.split('?')[0]}/inviter"), csrf="field", htmx=False)
    assert resent.status_code == 303
    assert "En ny invitation er sendt" in admin.client.get(resent.headers["location"]).text
    [second] = deliver(world.db, smtp, settings)
    stranger = open_browser(world.app, world.db)
    old = stranger.client.get(link_path(first))
    assert old.status_code == 410
    assert "der er sendt et nyere link" in old.text
    assert stranger.client.get(link_path(second)).status_code == 200


def test_an_expired_invitation_is_refused_and_changes_nothing(
    world: World, smtp: SmtpServer, settings: Settings
) -> None:
    invite(world.browser(world.coordinator))
    path = link_path(deliver(world.db, smtp, settings)[0])
    world.app.dependency_overrides[deps.now] = lambda: datetime.now(UTC) + timedelta(hours=72, minutes=1)
    try:
        stranger = open_browser(world.app, world.db)
        page = stranger.client.get(path)
        assert page.status_code == 410
        assert "Linket er udløbet." in page.text
        before = snapshot(world.db)
        assert choose(stranger, path).status_code == 410
        assert changed_tables(before, snapshot(world.db)) == []
    finally:
        world.app.dependency_overrides.clear()


def test_a_forged_link_is_refused(world: World) -> None:
    stranger = open_browser(world.app, world.db)
    for path in ("/adgangskode/gaet-et-token", "/adgangskode/" + "A" * 43, "/adgangskode/" + "x" * 5000):
        page = stranger.client.get(path)
        assert page.status_code == 410, path
        assert "Linket virker ikke." in page.text
        before = snapshot(world.db)
        assert choose(stranger, path).status_code == 410
        assert changed_tables(before, snapshot(world.db)) == []


def test_a_link_of_a_deactivated_account_is_refused(world: World, smtp: SmtpServer, settings: Settings) -> None:
    coordinator = world.browser(world.coordinator)
    location = invite(coordinator)
    path = link_path(deliver(world.db, smtp, settings)[0])
    user_page = location.split("?")[0]
    assert coordinator.send(Req.of_form(f"{user_page}/deaktiver"), csrf="field", htmx=False).status_code == 303
    stranger = open_browser(world.app, world.db)
    page = stranger.client.get(path)
    assert page.status_code == 410
    assert "Kontoen er deaktiveret. Kontakt din KKR-koordinator eller en administrator." in page.text
    before = snapshot(world.db)
    refused = choose(stranger, path)
    assert refused.status_code == 410 and "Kontoen er deaktiveret." in refused.text
    assert changed_tables(before, snapshot(world.db)) == []
    # Reactivated, the account needs a new invitation: the old link stays dead.
    assert coordinator.send(Req.of_form(f"{user_page}/genaktiver"), csrf="field", htmx=False).status_code == 303
    assert "Linket virker ikke." in stranger.client.get(path).text


def test_choosing_a_weak_or_mismatched_password_shows_why_and_keeps_the_link(
    world: World, smtp: SmtpServer, settings: Settings
) -> None:
    invite(world.browser(world.admin))
    path = link_path(deliver(world.db, smtp, settings)[0])
    newcomer = open_browser(world.app, world.db)
    refusals = [
        ("kort", None, "Adgangskoden skal have mindst 12 tegn (den har 4)."),
        ("qwerty123456", None, "Adgangskoden er på listen over almindelige adgangskoder"),
        ("aaaaaaaaaaaaaaaa", None, "Adgangskoden må ikke bestå af ét tegn gentaget."),
        ("ny.redaktoer@alleroed.dk", None, "ligner din e-mailadresse eller dit navn"),
        ("x" * 257, None, "Adgangskoden må højst have 256 tegn."),
        ("xy" * 3000, None, "Adgangskoden må højst have 256 tegn."),
        (NEW_PASSWORD, NEW_PASSWORD + "!", "De to adgangskoder er ikke ens."),
    ]
    for password, again, message in refusals:
        before = snapshot(world.db)
        response = choose(newcomer, path, password, again)
        assert response.status_code == 422, password
        assert message in response.text, (password, response.text[:3000])
        assert changed_tables(before, snapshot(world.db)) == []
    # A 64-character passphrase is fine.
    assert choose(newcomer, path, "fire" * 16).status_code == 303


# ---------------------------------------------------------------------------- reset


def test_forgotten_password_reset_by_mail_ends_the_other_sessions(
    world: World, smtp: SmtpServer, settings: Settings
) -> None:
    elsewhere = world.browser(world.editor)  # logged in at another desk
    anonymous = open_browser(world.app, world.db)
    assert "Glemt adgangskode?" in anonymous.client.get("/login").text
    response = anonymous.send(Req.of_form("/glemt-adgangskode", {"email": world.editor.email.upper()}), csrf="field")
    assert response.status_code == 200
    assert "Hvis der findes en aktiv konto med den adresse" in response.text
    assert "Linket virker i 1 time." in response.text

    [mail] = deliver(world.db, smtp, settings)
    assert mail["Subject"] == "Ny adgangskode til Fremdrift"
    assert "linket virker én gang, i 1 time" in body_of(mail, "plain")
    path = link_path(mail)
    page = anonymous.client.get(path)
    assert "Vælg en ny adgangskode" in page.text
    assert choose(anonymous, path).status_code == 303

    assert elsewhere.client.get(f"/kommuner/{ALLEROED}/2025", follow_redirects=False).status_code == 303
    assert log_in(open_browser(world.app, world.db), world.editor.email, NEW_PASSWORD) == 303
    assert audit_actions(world.db, world.editor.email)[-2:] == [AuditAction.RESET_REQUESTED, AuditAction.RESET_DONE]


def test_reset_answers_the_same_for_an_unknown_address_and_sends_nothing(
    world: World, smtp: SmtpServer, settings: Settings
) -> None:
    anonymous = open_browser(world.app, world.db)
    known = anonymous.send(Req.of_form("/glemt-adgangskode", {"email": world.editor.email}), csrf="field")
    unknown = anonymous.send(Req.of_form("/glemt-adgangskode", {"email": "ingen@example.dk"}), csrf="field")
    assert known.status_code == unknown.status_code == 200
    assert known.text.replace(world.editor.email, "") == unknown.text.replace("ingen@example.dk", "")
    assert [m["To"] for m in deliver(world.db, smtp, settings)] == [world.editor.email]
    with world.db.read() as session:
        unknown_event = session.exec(select(AuditEvent).where(AuditEvent.detail == "ingen@example.dk")).one()
    assert unknown_event.subject_id is None and unknown_event.kkr_id is None  # shown to admins only


def test_reset_for_a_deactivated_account_sends_nothing(world: World, smtp: SmtpServer, settings: Settings) -> None:
    coordinator = world.browser(world.coordinator)
    deactivated = coordinator.send(Req.of_form(f"/brugere/{world.colleague.id}/deaktiver"), csrf="field", htmx=False)
    assert deactivated.status_code == 303
    anonymous = open_browser(world.app, world.db)
    response = anonymous.send(Req.of_form("/glemt-adgangskode", {"email": world.colleague.email}), csrf="field")
    assert "Hvis der findes en aktiv konto med den adresse" in response.text
    assert deliver(world.db, smtp, settings) == []


def test_mass_reset_requests_are_throttled_with_a_message(world: World, smtp: SmtpServer, settings: Settings) -> None:
    anonymous = open_browser(world.app, world.db)
    for _ in range(3):
        response = anonymous.send(Req.of_form("/glemt-adgangskode", {"email": world.editor.email}), csrf="field")
        assert response.status_code == 200
    before = snapshot(world.db)
    refused = anonymous.send(Req.of_form("/glemt-adgangskode", {"email": world.editor.email}), csrf="field")
    assert refused.status_code == 429
    assert "Der er bedt om for mange nye adgangskoder. Vent en time, og prøv igen." in refused.text
    assert changed_tables(before, snapshot(world.db)) == []
    # The same answer for an address that does not exist, so the limit gives nothing away.
    for _ in range(3):
        anonymous.send(Req.of_form("/glemt-adgangskode", {"email": "ingen@example.dk"}), csrf="field")
    assert (
        anonymous.send(Req.of_form("/glemt-adgangskode", {"email": "ingen@example.dk"}), csrf="field").status_code
        == 429
    )
    # One machine cannot walk through addresses either (20 per hour by default).
    statuses = [
        anonymous.send(Req.of_form("/glemt-adgangskode", {"email": f"n{i}@example.dk"}), csrf="field").status_code
        for i in range(16)
    ]
    assert statuses[:14] == [200] * 14 and statuses[-1] == 429
    with world.db.read() as session:
        queued = session.exec(select(OutboxMail)).all()
    assert len(queued) == 3  # one per accepted request for the real account


def test_bad_reset_input_gets_a_message(world: World) -> None:
    anonymous = open_browser(world.app, world.db)
    for email in ("", "ikke-en-adresse", "a@b"):
        response = anonymous.send(Req.of_form("/glemt-adgangskode", {"email": email}), csrf="field")
        assert response.status_code == 422, email
        assert "Skriv den e-mailadresse, du logger ind med." in response.text


# ---------------------------------------------------------------------------- deactivation


def test_deactivating_a_user_ends_their_session_at_once(world: World) -> None:
    editor = world.browser(world.editor)
    assert editor.client.get(f"/kommuner/{ALLEROED}/2025").status_code == 200
    coordinator = world.browser(world.coordinator)
    response = coordinator.send(Req.of_form(f"/brugere/{world.editor.id}/deaktiver"), csrf="field", htmx=False)
    assert response.status_code == 303
    assert "Brugeren er deaktiveret og logget ud overalt." in coordinator.client.get(response.headers["location"]).text
    assert editor.client.get(f"/kommuner/{ALLEROED}/2025", follow_redirects=False).status_code == 303
    assert editor.client.get("/api/me").status_code == 401
    with world.db.read() as session:
        assert session.exec(select(UserSession).where(UserSession.user_id == world.editor.id)).all() == []
    assert log_in(open_browser(world.app, world.db), world.editor.email, "korrekt-hest-batteri") == 401

    reactivated = coordinator.send(Req.of_form(f"/brugere/{world.editor.id}/genaktiver"), csrf="field", htmx=False)
    assert reactivated.status_code == 303
    assert log_in(open_browser(world.app, world.db), world.editor.email, "korrekt-hest-batteri") == 303
    assert audit_actions(world.db, world.editor.email)[-2:] == [AuditAction.DEACTIVATED, AuditAction.REACTIVATED]


def test_link_purposes_are_stored(world: World) -> None:
    invite(world.browser(world.admin))
    anonymous = open_browser(world.app, world.db)
    anonymous.send(Req.of_form("/glemt-adgangskode", {"email": world.reader.email}), csrf="field")
    with world.db.read() as session:
        purposes = sorted(link.purpose for link in session.exec(select(AccountLink)))
    assert purposes == [LinkPurpose.INVITATION, LinkPurpose.RESET]


def test_the_mail_link_points_at_the_configured_address(world: World, smtp: SmtpServer, settings: Settings) -> None:
    invite(world.browser(world.admin))
    [mail] = deliver(world.db, smtp, settings)
    found = LINK.search(body_of(mail, "plain"))
    assert found
    assert urlsplit(found.group(0)).netloc == urlsplit(settings.public_url).netloc
