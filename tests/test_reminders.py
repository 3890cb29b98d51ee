"""Reminders by hand and on the round's schedule, delivered to a real SMTP server (aiosmtpd)."""

import threading
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi import FastAPI
from sqlmodel import col, func, select

from app.config import Settings
from app.db import Database
from app.deps import now as now_dependency
from app.domain.accounts import actor_of
from app.domain.errors import InvalidInput, NotAllowedNow
from app.domain.reports.commands import submit_report
from app.domain.rounds.lifecycle import close_round, set_reminder_schedule
from app.domain.rounds.reminders import send_reminders, send_scheduled_reminders
from app.domain.vocabulary import MailState
from app.mail.compose import Composer
from app.mail.sender import send_due_mail
from app.models import OutboxMail, Reminder
from app.worker import jobs_for, run_once
from tests.factories import ALBERTSLUND, ALLEROED, KOEBENHAVN, NOW
from tests.scenarios import FREDERIKSBERG, YEAR, Req, World, changed_tables, snapshot
from tests.smtp import SmtpServer, body_of, smtp_server

COMPOSER = Composer("https://fremdrift.example.dk")


@pytest.fixture(autouse=True)
def frozen_clock(app: FastAPI) -> Iterator[None]:
    """The pages act at the world's time (20 January 2026), as the domain calls here do."""
    app.dependency_overrides[now_dependency] = lambda: NOW
    yield
    app.dependency_overrides.clear()


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with smtp_server() as server:
        yield server


def at(month: int, day: int, hour: int = 9) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


def smtp_settings(database_url: str, server: SmtpServer) -> Settings:
    return Settings(
        database_url=database_url,
        smtp_host=server.host,
        smtp_port=server.port,
        smtp_security="none",
        public_url="https://fremdrift.example.dk",
    )


def reminders_of(db: Database, step: int | None = None) -> list[int]:
    with db.read() as session:
        query = select(Reminder.municipality_code).order_by(col(Reminder.municipality_code))
        if step is not None:
            query = query.where(Reminder.days_before == step)
        return list(session.exec(query))


def test_reminding_everyone_who_has_not_submitted_reaches_their_editors(
    world: World, database_url: str, smtp: SmtpServer
) -> None:
    coordinator = world.browser(world.coordinator)

    response = coordinator.send(Req.of_form(f"/runder/{world.round.id}/paamindelser"))

    assert response.status_code == 303
    # 28 of 29 have not submitted (Frederiksberg has); four of them have editors with e-mail.
    assert len(reminders_of(world.db)) == 28
    assert FREDERIKSBERG not in reminders_of(world.db)
    report = send_due_mail(world.db, at(1, 20, 10), settings=smtp_settings(database_url, smtp))
    assert report.sent == 4
    received = sorted(m["To"] for m in smtp.recorder.messages)
    assert received == sorted(
        [world.editor.email, world.colleague.email, world.other_editor.email, world.copenhagen_editor.email]
    )
    mail = next(m for m in smtp.recorder.messages if m["To"] == world.editor.email)
    assert mail["Subject"] == f"Påmindelse: statusrapporten for {YEAR} fra Allerød Kommune"
    text = body_of(mail, "plain")
    assert "Fristen for statusrapporten for 2025 til KKR Hovedstaden er 28. februar 2026, om 39 dage." in text
    assert "Rapporten står som: I gang." in text
    assert f"http://127.0.0.1:8000/kommuner/{ALLEROED}/{YEAR}" in text  # the test app's public URL
    assert f'href="http://127.0.0.1:8000/kommuner/{ALLEROED}/{YEAR}"' in body_of(mail, "html")

    # The overview shows what was sent to whom, and that it went.
    html = coordinator.client.get(f"/runder/{world.round.id}").text
    allerod = html.split(f'id="kommune-{ALLEROED}"')[1].split("</tr>")[0]
    assert f"{world.editor.email}, {world.colleague.email}" in allerod
    assert "af Kirsten Koordinator" in allerod and "(sendt)" in allerod
    nobody = html.split('id="kommune-190"')[1].split("</tr>")[0]  # Furesø: no editor in the world
    assert "ingen redaktører med e-mail" in nobody
    # And the municipality's own timeline says it was reminded.
    page = world.browser(world.editor).client.get(f"/kommuner/{ALLEROED}/{YEAR}").text
    assert "Påmindet" in page and "sendt af koordinatoren" in page


def test_without_smtp_the_reminder_action_says_the_mail_waits(world: World) -> None:
    coordinator = world.browser(world.coordinator)
    response = coordinator.send(
        Req.of_form(f"/runder/{world.round.id}/paamindelser", {"municipality_code": KOEBENHAVN})
    )
    html = coordinator.client.get(response.headers["location"]).text
    assert "Påmindelserne er lagt i udbakken." in html
    assert "Der er ingen SMTP-server sat op (FREMDRIFT_SMTP_HOST); mailen venter i udbakken." in html
    row = html.split(f'id="kommune-{KOEBENHAVN}"')[1].split("</tr>")[0]
    assert "venter i udbakken" in row
    api = coordinator.client.post(
        f"/api/rounds/{world.round.id}/reminders",
        json={"municipality_code": ALBERTSLUND},
        headers={"X-CSRF-Token": coordinator.token},
    ).json()
    assert api["reminded"] == ["Albertslund"] and api["recipients"] == 1
    assert "venter i udbakken" in api["mail"]


def test_a_municipality_that_has_submitted_or_a_closed_round_gets_no_reminder(world: World) -> None:
    coordinator = world.browser(world.coordinator)
    before = snapshot(world.db)
    response = coordinator.send(
        Req.of_form(f"/runder/{world.round.id}/paamindelser", {"municipality_code": FREDERIKSBERG}), htmx=False
    )
    assert response.status_code == 409
    assert "Frederiksberg har allerede indsendt" in response.text
    assert changed_tables(before, snapshot(world.db)) == []

    with world.db.write() as session:
        close_round(session, None, world.round.id or 0, now=at(3, 5))
    with world.db.write() as session, pytest.raises(NotAllowedNow, match="ikke åben"):
        send_reminders(
            session,
            actor_of(world.coordinator),
            world.round.id or 0,
            municipality_code=None,
            composer=COMPOSER,
            now=at(3, 5),
        )


def scheduled(db: Database, when: datetime) -> int:
    with db.write() as session:
        return send_scheduled_reminders(session, now=when, composer=COMPOSER)


def test_each_step_of_the_schedule_is_sent_once(world: World) -> None:
    # Deadline 28 February: steps on 14 February, 25 February and 1 March.
    assert scheduled(world.db, at(1, 20)) == 0
    assert scheduled(world.db, at(2, 13, 22)) == 0  # 13 Feb 23:00 in Copenhagen: not yet
    assert scheduled(world.db, at(2, 13, 23)) == 28  # 14 Feb 00:00 in Copenhagen
    assert scheduled(world.db, at(2, 14, 12)) == 0
    assert scheduled(world.db, at(2, 20)) == 0

    # Allerød submits before the next step; it is not reminded again.
    with world.db.write() as session:
        submit_report(session, actor_of(world.editor), world.report.id or 0, now=at(2, 21))
    assert scheduled(world.db, at(2, 25)) == 27
    assert ALLEROED not in reminders_of(world.db, 3)
    assert scheduled(world.db, at(2, 27)) == 0
    assert scheduled(world.db, at(3, 1)) == 27
    assert scheduled(world.db, at(3, 9)) == 0
    assert len(reminders_of(world.db, 14)) == 28 and len(reminders_of(world.db, -1)) == 27
    with world.db.read() as session:
        mails = session.exec(select(func.count()).select_from(OutboxMail).where(OutboxMail.kind == "reminder")).one()
    assert mails == 4 + 2 + 2  # Allerød's two editors only at the first step

    html = world.browser(world.coordinator).client.get(f"/runder/{world.round.id}").text
    assert "14. februar 2026 (14 dage før fristen): sendt til 28 kommuner" in html
    assert "1. marts 2026 (1 dag efter fristen): sendt til 27 kommuner" in html


def test_a_step_missed_while_the_job_was_down_is_not_sent_late(world: World) -> None:
    assert scheduled(world.db, at(2, 26)) == 28
    assert reminders_of(world.db, 14) == []
    assert len(reminders_of(world.db, 3)) == 28


def test_the_coordinator_sets_the_schedule_and_bad_input_changes_nothing(world: World) -> None:
    coordinator = world.browser(world.coordinator)
    assert coordinator.send(Req.of_form(f"/runder/{world.round.id}/plan", {"reminder_days": "7; 1"})).status_code == 303
    assert scheduled(world.db, at(2, 21)) == 28  # the 7-day step: 21 February
    for bad, message in (("14, abc", "ikke et antal dage"), ("0", "0 er ikke et trin"), ("3, 3", "to gange")):
        before = snapshot(world.db)
        response = coordinator.send(Req.of_form(f"/runder/{world.round.id}/plan", {"reminder_days": bad}), htmx=False)
        assert response.status_code == 422 and message in response.text, bad
        assert changed_tables(before, snapshot(world.db)) == []
    with world.db.write() as session, pytest.raises(InvalidInput, match="365 dage"):
        set_reminder_schedule(session, None, world.round.id or 0, "400", now=at(1, 20))
    with world.db.write() as session:
        set_reminder_schedule(session, None, world.round.id or 0, "", now=at(1, 20))
    assert scheduled(world.db, at(3, 1)) == 0  # no schedule: no reminders


def test_the_worker_sends_the_due_step_and_its_mails_in_one_pass(
    world: World, database_url: str, smtp: SmtpServer
) -> None:
    results = run_once(world.db, jobs_for(smtp_settings(database_url, smtp)), at(2, 14))
    assert results["reminders"] == 28
    assert results["outbox"].sent == 4  # type: ignore[attr-defined]
    assert len(smtp.recorder.messages) == 4
    assert "om 14 dage" in body_of(smtp.recorder.messages[0], "plain")
    with world.db.read() as session:
        states = set(session.exec(select(OutboxMail.state)))
    assert states == {MailState.SENT}
    # A second pass the same day sends nothing more.
    again = run_once(world.db, jobs_for(smtp_settings(database_url, smtp)), at(2, 14, 15))
    assert again["reminders"] == 0 and len(smtp.recorder.messages) == 4


def test_an_smtp_refusal_shows_in_the_overview_next_to_the_reminder(
    world: World, database_url: str, smtp: SmtpServer
) -> None:
    coordinator = world.browser(world.coordinator)
    coordinator.send(Req.of_form(f"/runder/{world.round.id}/paamindelser", {"municipality_code": KOEBENHAVN}))
    smtp.recorder.refuse_rcpt = "550 5.1.1 Postkassen findes ikke"

    send_due_mail(world.db, at(1, 20, 10), settings=smtp_settings(database_url, smtp))

    html = coordinator.client.get(f"/runder/{world.round.id}").text
    row = html.split(f'id="kommune-{KOEBENHAVN}"')[1].split("</tr>")[0]
    assert "(kunne ikke sendes)" in row
    assert "SMTP-serveren afviste modtageren (550 5.1.1 Postkassen findes ikke)." in row


def test_two_workers_at_once_remind_each_municipality_once(world: World, database_url: str) -> None:
    """On PostgreSQL the open rounds are claimed with SKIP LOCKED; on SQLite the writers queue."""
    other = Database(database_url)
    counts: list[int] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def work(database: Database) -> None:
        barrier.wait()
        try:
            with database.write() as session:
                counts.append(send_scheduled_reminders(session, now=at(2, 14), composer=COMPOSER))
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=work, args=(database,)) for database in (world.db, other)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    other.dispose()

    assert errors == []
    assert sorted(counts) == [0, 28]
    assert len(reminders_of(world.db, 14)) == 28
