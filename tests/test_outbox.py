"""The e-mail outbox, delivered to a real SMTP server (aiosmtpd) started by the tests."""

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import col, select

from app.config import Settings
from app.db import Database
from app.domain.errors import InvalidInput
from app.domain.outbox import MAX_ATTEMPTS, Notice, claim_due_mail, enqueue_mail, enqueue_notice
from app.domain.vocabulary import MailState
from app.mail.compose import Composer, render_mail
from app.mail.sender import NOT_CONFIGURED, send_due_mail
from app.models import OutboxMail
from app.worker import Job, Worker, jobs_for, run_once
from tests.factories import NOW
from tests.smtp import SmtpServer, body_of, free_port, smtp_server


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with smtp_server() as server:
        yield server


def mail_settings(database_url: str, server: SmtpServer | None, **extra: object) -> Settings:
    values: dict[str, object] = {"database_url": database_url, "smtp_security": "none"}
    if server is not None:
        values |= {"smtp_host": server.host, "smtp_port": server.port}
    return Settings(**(values | extra))  # type: ignore[arg-type]  # pydantic-settings takes them by name


def queue(db: Database, to: str = "redaktoer@alleroed.dk", *, now: datetime = NOW, **kwargs: object) -> int:
    values: dict[str, object] = {
        "subject": "Påmindelse om statusrapporten",
        "text": "Husk at indsende.\n",
        "html": "<p>Husk at indsende.</p>",
        "kind": "reminder",
    } | kwargs
    with db.write() as session:
        mail = enqueue_mail(session, to=to, now=now, **values)  # type: ignore[arg-type]
        assert mail is not None and mail.id is not None
        return mail.id


def mail_row(db: Database, mail_id: int) -> OutboxMail:
    with db.read() as session:
        mail = session.get(OutboxMail, mail_id)
        assert mail is not None
        return mail


def test_queued_mails_are_delivered_with_text_html_and_their_message_id(
    db: Database, database_url: str, smtp: SmtpServer
) -> None:
    first = queue(db, "a@alleroed.dk")
    second = queue(db, "b@alleroed.dk", subject="Rapporten er sendt tilbage", text="Se kommentaren.\n", html="<p>Æ</p>")

    report = send_due_mail(db, NOW, settings=mail_settings(database_url, smtp))

    assert (report.sent, report.retrying, report.failed) == (2, 0, 0)
    received = {m["To"]: m for m in smtp.recorder.messages}
    assert set(received) == {"a@alleroed.dk", "b@alleroed.dk"}
    back = received["b@alleroed.dk"]
    assert back["Subject"] == "Rapporten er sendt tilbage"
    assert back["From"] == "Fremdrift <fremdrift@localhost>"
    assert back["Message-ID"] == mail_row(db, second).message_id
    assert body_of(back, "plain") == "Se kommentaren.\n"
    assert body_of(back, "html").strip() == "<p>Æ</p>"
    for mail_id in (first, second):
        row = mail_row(db, mail_id)
        assert (row.state, row.attempts, row.sent_at) == (MailState.SENT, 1, NOW)
    # Sent mail is never sent again.
    assert send_due_mail(db, NOW + timedelta(hours=2), settings=mail_settings(database_url, smtp)).claimed == 0
    assert len(smtp.recorder.messages) == 2


def test_a_refused_mail_is_delivered_on_the_retry_after_the_backoff(
    db: Database, database_url: str, smtp: SmtpServer
) -> None:
    mail_id = queue(db)
    smtp.recorder.refuse_data.append("451 4.3.0 Midlertidig fejl, prøv igen")
    settings = mail_settings(database_url, smtp)

    first = send_due_mail(db, NOW, settings=settings)
    row = mail_row(db, mail_id)
    assert (first.sent, first.retrying) == (0, 1)
    assert row.state == MailState.PENDING
    assert "451" in row.last_error and "afviste mailen" in row.last_error
    assert row.next_attempt_at == NOW + timedelta(minutes=1)
    assert smtp.recorder.messages == []

    assert send_due_mail(db, NOW + timedelta(seconds=30), settings=settings).claimed == 0  # still backing off
    second = send_due_mail(db, NOW + timedelta(minutes=1), settings=settings)

    assert second.sent == 1
    assert [m["Message-ID"] for m in smtp.recorder.messages] == [row.message_id]
    assert (mail_row(db, mail_id).state, mail_row(db, mail_id).attempts) == (MailState.SENT, 2)


def test_a_permanently_refused_recipient_fails_with_the_servers_answer(
    db: Database, database_url: str, smtp: SmtpServer
) -> None:
    mail_id = queue(db, "ukendt@alleroed.dk")
    smtp.recorder.refuse_rcpt = "550 5.1.1 Ukendt modtager"

    report = send_due_mail(db, NOW, settings=mail_settings(database_url, smtp))

    row = mail_row(db, mail_id)
    assert report.failed == 1
    assert row.state == MailState.FAILED
    assert "550" in row.last_error and "afviste modtageren" in row.last_error


def test_without_an_smtp_server_the_mail_waits_in_the_outbox(db: Database, database_url: str) -> None:
    mail_id = queue(db)

    report = send_due_mail(db, NOW, settings=mail_settings(database_url, None))

    assert not report.configured
    assert mail_row(db, mail_id).state == MailState.PENDING
    assert "venter i udbakken" in NOT_CONFIGURED


def test_an_unreachable_server_leaves_the_mail_queued_with_a_clear_error(db: Database, database_url: str) -> None:
    mail_id = queue(db)
    settings = mail_settings(database_url, None, smtp_host="127.0.0.1", smtp_port=free_port(), smtp_timeout_seconds=2)

    report = send_due_mail(db, NOW, settings=settings)

    row = mail_row(db, mail_id)
    assert report.retrying == 1
    assert row.state == MailState.PENDING
    assert row.last_error.startswith("Kunne ikke forbinde til SMTP-serveren 127.0.0.1:")


def test_starttls_against_a_server_without_it_is_a_clear_error(
    db: Database, database_url: str, smtp: SmtpServer
) -> None:
    mail_id = queue(db)

    send_due_mail(db, NOW, settings=mail_settings(database_url, smtp, smtp_security="starttls"))

    assert "STARTTLS" in mail_row(db, mail_id).last_error
    assert smtp.recorder.messages == []


def test_a_mail_gives_up_after_the_last_attempt(db: Database, database_url: str, smtp: SmtpServer) -> None:
    mail_id = queue(db)
    smtp.recorder.refuse_data.extend(["451 prøv igen"] * MAX_ATTEMPTS)
    settings = mail_settings(database_url, smtp)
    at = NOW
    for _ in range(MAX_ATTEMPTS):
        send_due_mail(db, at, settings=settings)
        at += timedelta(hours=1)

    row = mail_row(db, mail_id)
    assert (row.state, row.attempts) == (MailState.FAILED, MAX_ATTEMPTS)


def test_a_mail_is_queued_only_with_its_transaction(db: Database) -> None:
    def event_that_fails() -> None:
        with db.write() as session:
            enqueue_mail(session, to="a@b.dk", subject="s", text="t", html="h", kind="reminder", now=NOW)
            raise RuntimeError("the event failed")

    with pytest.raises(RuntimeError):
        event_that_fails()

    with db.read() as session:
        assert session.exec(select(OutboxMail)).all() == []


def test_a_bad_address_is_refused_and_nothing_is_queued(db: Database) -> None:
    with pytest.raises(InvalidInput, match="ikke en gyldig e-mailadresse"), db.write() as session:
        enqueue_mail(session, to="ikke en adresse", subject="s", text="t", html="h", kind="reminder", now=NOW)
    with db.read() as session:
        assert session.exec(select(OutboxMail)).all() == []


def test_a_dedupe_key_queues_a_mail_once(db: Database) -> None:
    queue(db, dedupe_key="reminder:1:201:-14")
    with db.write() as session:
        again = enqueue_mail(
            session,
            to="redaktoer@alleroed.dk",
            subject="s",
            text="t",
            html="h",
            kind="reminder",
            now=NOW,
            dedupe_key="reminder:1:201:-14",
        )
    assert again is None
    with db.read() as session:
        assert len(session.exec(select(OutboxMail)).all()) == 1


def test_a_notice_is_rendered_in_danish_with_an_absolute_link(db: Database) -> None:
    composer = Composer("https://fremdrift.example.dk/")
    with db.write() as session:
        mail = enqueue_notice(session, composer, Notice("test", "a@b.dk"), now=NOW)
    assert mail is not None
    assert mail.subject == "Prøvemail fra Fremdrift"
    assert "https://fremdrift.example.dk/" in mail.text_body
    assert '<a href="https://fremdrift.example.dk/">' in mail.html_body
    text = render_mail("test", {}, public_url="http://x/").text
    assert "Forsiden: http://x/\n" in text
    assert text.endswith("Du kan ikke svare på den.\n")


def test_two_senders_at_once_never_claim_the_same_mail(db: Database, database_url: str) -> None:
    ids = {queue(db, f"m{i}@alleroed.dk") for i in range(40)}
    other = Database(database_url)
    claimed: list[list[int]] = [[], []]
    barrier = threading.Barrier(2)

    def claim(slot: int, database: Database) -> None:
        barrier.wait()
        while True:
            with database.write() as session:
                batch = claim_due_mail(session, now=NOW, limit=3, lease=timedelta(minutes=5))
                if not batch:
                    return
                claimed[slot].extend(m.id for m in batch if m.id is not None)

    threads = [threading.Thread(target=claim, args=(0, db)), threading.Thread(target=claim, args=(1, other))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    other.dispose()

    assert set(claimed[0]).isdisjoint(claimed[1])
    assert set(claimed[0]) | set(claimed[1]) == ids
    assert len(claimed[0]) + len(claimed[1]) == 40


# ---------------------------------------------------------------------------- a sender killed midway


def _worker_process(database_url: str, smtp: SmtpServer) -> subprocess.Popen[bytes]:
    env = os.environ | {
        "DATABASE_URL": database_url,
        "FREMDRIFT_SMTP_HOST": smtp.host,
        "FREMDRIFT_SMTP_PORT": str(smtp.port),
        "FREMDRIFT_SMTP_SECURITY": "none",
    }
    fremdrift = Path(sys.executable).with_name("fremdrift")
    return subprocess.Popen([str(fremdrift), "worker", "--once"], env=env, stdout=subprocess.PIPE)


def _kill(process_holder: list[subprocess.Popen[bytes]]) -> None:
    process_holder[0].send_signal(signal.SIGKILL)
    process_holder[0].wait(10)


def _claimed_but_not_marked(db: Database, mail_id: int) -> OutboxMail:
    row = mail_row(db, mail_id)
    assert row.state == MailState.SENDING
    assert row.claimed_until is not None
    return row


def test_a_sender_killed_after_the_server_accepted_resends_with_the_same_message_id(
    db: Database, database_url: str, smtp: SmtpServer
) -> None:
    """The one case SMTP cannot rule out: the server has the mail, the sender never recorded it.
    The mail goes again once the claim's lease has run out, under the same Message-ID."""
    now = datetime.now(UTC)
    mail_id = queue(db, now=now)
    holder: list[subprocess.Popen[bytes]] = []
    smtp.recorder.on_data = lambda: _kill(holder)  # the mail is stored; the sender dies before "250"
    holder.append(_worker_process(database_url, smtp))
    holder[0].wait(60)
    assert holder[0].returncode == -signal.SIGKILL
    smtp.recorder.on_data = None
    row = _claimed_but_not_marked(db, mail_id)
    assert row.claimed_until is not None
    settings = mail_settings(database_url, smtp)

    # While the dead sender's lease runs, nobody else sends it.
    assert send_due_mail(db, row.claimed_until - timedelta(seconds=1), settings=settings).claimed == 0
    send_due_mail(db, row.claimed_until + timedelta(seconds=1), settings=settings)

    ids = [m["Message-ID"] for m in smtp.recorder.messages]
    assert ids == [row.message_id, row.message_id]
    assert mail_row(db, mail_id).state == MailState.SENT


def test_a_sender_killed_before_the_server_accepted_sends_the_mail_once(
    db: Database, database_url: str, smtp: SmtpServer
) -> None:
    now = datetime.now(UTC)
    mail_id = queue(db, now=now)
    holder: list[subprocess.Popen[bytes]] = []
    smtp.recorder.on_mail = lambda: _kill(holder)  # dies as it starts the transfer
    holder.append(_worker_process(database_url, smtp))
    holder[0].wait(60)
    smtp.recorder.on_mail = None
    row = _claimed_but_not_marked(db, mail_id)
    assert row.claimed_until is not None
    assert smtp.recorder.messages == []

    send_due_mail(db, row.claimed_until + timedelta(seconds=1), settings=mail_settings(database_url, smtp))

    assert [m["Message-ID"] for m in smtp.recorder.messages] == [row.message_id]


# ---------------------------------------------------------------------------- the worker loop


def test_the_worker_runs_every_job_and_survives_one_that_fails(db: Database, database_url: str) -> None:
    ran: list[datetime] = []

    def broken(_database: Database, _now: datetime) -> None:
        raise RuntimeError("boom")

    jobs = [
        Job("broken", broken),
        Job("ok", lambda _db, now: ran.append(now)),
        *jobs_for(mail_settings(database_url, None)),
    ]
    results = run_once(db, jobs, NOW)
    assert ran == [NOW]
    assert "broken" not in results
    assert results["outbox"].configured is False  # type: ignore[attr-defined]

    loop = Worker(db, [Job("ok", lambda _db, now: ran.append(now))], interval=0.01, clock=lambda: NOW)
    loop.start()
    deadline = time.monotonic() + 5
    while len(ran) < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    loop.stop()
    assert len(ran) >= 3
    assert loop.thread is not None and not loop.thread.is_alive()


def test_fremdrift_worker_once_delivers_the_outbox(db: Database, database_url: str, smtp: SmtpServer) -> None:
    queue(db, now=datetime.now(UTC))
    process = _worker_process(database_url, smtp)
    out, _ = process.communicate(timeout=60)
    assert process.returncode == 0
    assert "outbox: SendReport(configured=True, claimed=1, sent=1" in out.decode()
    with db.read() as session:
        assert session.exec(select(OutboxMail.state).where(col(OutboxMail.id) > 0)).all() == [MailState.SENT]


def test_fremdrift_serve_runs_the_sender_by_default(db: Database, database_url: str, smtp: SmtpServer) -> None:
    queue(db, now=datetime.now(UTC))
    env = os.environ | {
        "DATABASE_URL": database_url,
        "FREMDRIFT_SMTP_HOST": smtp.host,
        "FREMDRIFT_SMTP_PORT": str(smtp.port),
        "FREMDRIFT_SMTP_SECURITY": "none",
        "FREMDRIFT_WORKER_INTERVAL_SECONDS": "0.2",
    }
    fremdrift = Path(sys.executable).with_name("fremdrift")
    command = [str(fremdrift), "serve", "--port", str(free_port())]
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while not smtp.recorder.messages and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(15)
    assert [m["To"] for m in smtp.recorder.messages] == ["redaktoer@alleroed.dk"]
