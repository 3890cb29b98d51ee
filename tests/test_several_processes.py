"""Two `fremdrift serve` processes on one PostgreSQL database (SPEC section 4, scale-out): a
session made through one is good on the other, saves through either land in order, and a save
based on a version the other process has since changed is a conflict, not a silent overwrite.
The background jobs share the work through the database too: mail queued through either process
is delivered exactly once while both processes' senders run, and a report's PDF rendered by one
process's render job is what the other serves, until a change made through either makes it stale.

Runs only on PostgreSQL (SQLite is for one machine and one process)."""

import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import delete
from sqlmodel import col, select

from app.domain.outbox import enqueue_mail
from app.domain.vocabulary import MailState
from app.mail.sender import BATCH_SIZE
from app.models import OutboxMail, RenderRequest, StatusChange
from app.security.csrf import CSRF_HEADER
from tests.factories import NOW
from tests.pdf_tools import pdf_text
from tests.processes import ServerProcess, Tab
from tests.scenarios import FREDERIKSBERG, YEAR, World
from tests.smtp import SmtpServer, smtp_server

# Several app processes on one database is PostgreSQL's case (SQLite runs one process).
pytestmark = pytest.mark.only_on("postgresql")

# The background loop of each process runs every 0.05 s, so the two senders overlap.
FAST_WORKER = {"FREMDRIFT_WORKER_INTERVAL_SECONDS": "0.05"}
NO_WORKER = {"FREMDRIFT_WORKER_IN_SERVE": "false"}
WAIT_S = 40
BULK = 8 * BATCH_SIZE  # mail waiting at once, so both senders claim batches side by side


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with smtp_server() as server:
        yield server


def wait_for(what: str, done: Callable[[], bool], logs: list[Path]) -> None:
    deadline = time.monotonic() + WAIT_S
    while not done():
        if time.monotonic() > deadline:
            tails = "\n".join(f"--- {log.name}\n{log.read_text()[-1500:]}" for log in logs)
            raise AssertionError(f"{what}: not within {WAIT_S} s\n{tails}")
        time.sleep(0.2)


def no_pending_renders(world: World) -> None:
    """The world's set-up saves queued renders of their own; this test's renders start from none."""
    with world.db.write() as session:
        session.execute(delete(RenderRequest))


def test_two_processes_share_sessions_saves_and_conflicts(world: World, database_url: str, tmp_path: Path) -> None:
    entry = world.entry("hov15-v1")
    assert entry.id is not None
    session_token = world.browser(world.editor).session_cookie
    assert session_token is not None
    with (
        ServerProcess(database_url, tmp_path / "a.log") as first,
        ServerProcess(database_url, tmp_path / "b.log") as second,
    ):
        on_first, on_second = Tab(first.base_url, session_token), Tab(second.base_url, session_token)
        try:
            # The session and CSRF token made once hold on both (state is in the database and the key).
            assert on_first.http.get("/api/me").json()["email"] == world.editor.email
            assert on_second.http.get("/api/me").json()["email"] == world.editor.email

            # Saves alternate between the processes, each on the version the other gave back.
            version = entry.version
            for n in range(6):
                tab = (on_first, on_second)[n % 2]
                response = tab.save(entry.id, version, ("green", "yellow")[n % 2], f"Gemt via proces {n % 2 + 1}")
                assert response.status_code == 200, response.text[:300]
                version = tab.version_of(response)
            assert version == entry.version + 6

            # A save on a version the other process has moved on from is refused with the current value.
            stale = on_first.save(entry.id, version - 1, "red", "Min gamle udgave")
            assert stale.status_code == 409
            assert "Gemt via proces 2" in stale.text and "Min gamle udgave" in stale.text

            # Through the API too, on the second process.
            api = on_second.http.put(
                f"/api/entries/{entry.id}",
                json={"colour": "red", "remark": "API", "opted_out": False, "version": version - 2},
                headers={CSRF_HEADER: on_second.headers[CSRF_HEADER]},
            )
            assert api.status_code == 409 and api.json()["current"]["version"] == version
        finally:
            on_first.close()
            on_second.close()

    with world.db.read() as session:
        remarks = [
            change.new_value
            for change in session.exec(
                select(StatusChange)
                .where(StatusChange.entry_id == entry.id, StatusChange.field == "remark")
                .order_by(col(StatusChange.version))
            )
        ]
    assert remarks[-6:] == [f"Gemt via proces {n % 2 + 1}" for n in range(6)]


def test_mail_queued_through_either_process_is_delivered_exactly_once_by_both_senders(
    world: World, database_url: str, tmp_path: Path, smtp: SmtpServer
) -> None:
    no_pending_renders(world)
    mail_env = FAST_WORKER | {
        "FREMDRIFT_SMTP_HOST": smtp.host,
        "FREMDRIFT_SMTP_PORT": str(smtp.port),
        "FREMDRIFT_SMTP_SECURITY": "none",
    }
    coordinator = world.browser(world.coordinator).session_cookie
    assert coordinator is not None
    logs = [tmp_path / "a.log", tmp_path / "b.log"]
    with (
        ServerProcess(database_url, logs[0], env=mail_env) as first,
        ServerProcess(database_url, logs[1], env=mail_env) as second,
    ):
        on_first, on_second = Tab(first.base_url, coordinator), Tab(second.base_url, coordinator)
        try:
            # With both senders running, a lot of mail at once, so they claim batches side by side.
            with world.db.write() as session:
                for n in range(BULK):
                    enqueue_mail(
                        session, to=f"modtager{n}@alleroed.dk", subject=f"Besked {n}", text="Tekst.\n",
                        html="<p>Tekst.</p>", kind="reminder", now=NOW,
                    )  # fmt: skip
            # A reminder to everyone who has not submitted, through the first process ...
            reminding = on_first.http.post(f"/runder/{world.round.id}/paamindelser", headers=on_first.headers)
            assert reminding.status_code == 303, reminding.text[:300]
            # ... and Frederiksberg's report sent back with a comment, through the second.
            form = {"comment": "Ret venligst række V1.", "code": str(FREDERIKSBERG), "year": str(YEAR)}
            sent_back = on_second.http.post(
                f"/rapporter/{world.submitted.id}/send-tilbage", data=form, headers=on_second.headers
            )
            assert sent_back.status_code == 303, sent_back.text[:300]

            def all_sent() -> bool:
                with world.db.read() as session:
                    states = set(session.exec(select(OutboxMail.state)))
                return states == {MailState.SENT}

            wait_for("every queued mail sent", all_sent, logs)
            time.sleep(1)  # a few more passes of both loops: a second delivery would show now
        finally:
            on_first.close()
            on_second.close()

    with world.db.read() as session:
        mails = list(session.exec(select(OutboxMail)))
    queued = {mail.message_id for mail in mails}
    received = Counter(message["Message-ID"] for message in smtp.recorder.messages)
    # Besides the bulk and the two actions, both processes' reminder schedules ran (the round's
    # deadline has passed on the real clock); their mails are in the outbox like any other.
    assert len(queued) > BULK + 5
    assert set(received) == queued
    assert [mid for mid, times in received.items() if times > 1] == []
    assert {mail.attempts for mail in mails} == {1}  # no mail was claimed twice
    to_of = {message["Message-ID"]: message["To"] for message in smtp.recorder.messages}
    reminded = {to_of[mail.message_id] for mail in mails if mail.kind == "reminder"}
    editors = (world.editor, world.colleague, world.other_editor, world.copenhagen_editor)
    assert {editor.email for editor in editors} <= reminded
    sent_back_to = [to_of[mail.message_id] for mail in mails if mail.kind == "sent_back"]
    assert sent_back_to == [world.frederiksberg_editor.email]


def test_a_report_rendered_by_one_process_is_served_by_the_other_until_a_change_makes_it_stale(
    world: World, database_url: str, tmp_path: Path
) -> None:
    no_pending_renders(world)
    coordinator = world.browser(world.coordinator).session_cookie
    assert coordinator is not None
    pdf_url, status_url = f"/runder/{world.round.id}/rapport.pdf", f"/runder/{world.round.id}/rapport/pdf-status"
    logs = [tmp_path / "renders.log", tmp_path / "web.log"]
    # Only the first process renders; the second serves pages and PDFs and runs no background job.
    with (
        ServerProcess(database_url, logs[0], env=FAST_WORKER) as renders,
        ServerProcess(database_url, logs[1], env=NO_WORKER) as web,
    ):
        on_renders, on_web = Tab(renders.base_url, coordinator), Tab(web.base_url, coordinator)
        try:

            def pdf_from_web() -> httpx.Response:
                return on_web.http.get(pdf_url)

            # Nothing rendered yet: the web process says the PDF is being made, and asks for it.
            asked = pdf_from_web()
            assert asked.status_code == 503 and "PDF'en dannes" in asked.text
            wait_for("the first render", lambda: pdf_from_web().status_code == 200, logs)
            first = pdf_from_web()
            assert first.headers["content-type"] == "application/pdf"
            assert on_renders.http.get(pdf_url).headers["etag"] == first.headers["etag"]
            assert on_web.http.get(pdf_url, headers={"If-None-Match": first.headers["etag"]}).status_code == 304

            # The coordinator's summary, saved through the render process: the web process no
            # longer serves the PDF it has, nor says the reader's copy is current.
            saved = save_summary(on_renders, world, "Sammenfatning skrevet via proces 1.", version=0)
            assert saved.status_code == 200, saved.text[:300]
            stale = on_web.http.get(pdf_url, headers={"If-None-Match": first.headers["etag"]})
            assert stale.status_code == 503 and "PDF'en dannes" in stale.text
            wait_for("the render of the summary", lambda: pdf_from_web().status_code == 200, logs)
            second = pdf_from_web()
            assert second.headers["etag"] != first.headers["etag"]
            assert "Sammenfatning skrevet via proces 1." in pdf_text(second.content, tmp_path)

            # Rendered ahead: a change through the web process is rendered by the other one's job
            # without any reader asking, and the web process then serves it at once.
            saved = save_summary(on_web, world, "Rettet via proces 2.", version=1)
            assert saved.status_code == 200, saved.text[:300]
            assert "PDF'en dannes" in on_web.http.get(status_url).text
            wait_for("the render ahead", lambda: "Hent PDF" in on_web.http.get(status_url).text, logs)
            third = pdf_from_web()
            assert third.status_code == 200 and third.headers["etag"] not in {
                first.headers["etag"],
                second.headers["etag"],
            }
            assert "Rettet via proces 2." in pdf_text(third.content, tmp_path)
        finally:
            on_renders.close()
            on_web.close()


def save_summary(tab: Tab, world: World, text: str, *, version: int) -> httpx.Response:
    form = {"section": "summary", "text": text, "version": str(version)}
    return tab.http.post(f"/runder/{world.round.id}/tekster", data=form, headers=tab.headers)
