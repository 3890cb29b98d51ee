"""A coordinator invites an editor in a real browser; the editor follows the link in the mail
(received by an aiosmtpd server the test starts), chooses a password and lands on their
municipality's report."""

import os
import re
import subprocess
import time
from collections.abc import Iterator
from email.message import Message
from pathlib import Path

import pytest

from tests.e2e.conftest import FREMDRIFT, LiveServer, _wait_until_up, free_port
from tests.smtp import SmtpServer, body_of, smtp_server

pytest.importorskip("playwright.sync_api")
from playwright.sync_api import Browser, ConsoleMessage, Page, expect

COORDINATOR = "koordinator@demo.fremdrift.dk"
PASSWORD = "demo-fremdrift"
NEW_EDITOR = "ny.redaktoer@alleroed.example"
NEW_PASSWORD = "mit nye kodeord til fremdrift"
SCREENSHOTS = Path(os.environ.get("FREMDRIFT_E2E_SCREENSHOTS", "/tmp"))  # noqa: S108
MAIL_TIMEOUT_S = 20

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def smtp() -> Iterator[SmtpServer]:
    with smtp_server() as server:
        yield server


@pytest.fixture(scope="module")
def mailing_server(tmp_path_factory: pytest.TempPathFactory, smtp: SmtpServer) -> Iterator[LiveServer]:
    """`fremdrift demo` and `fremdrift serve`, whose outbox sender delivers to ``smtp``."""
    workdir = tmp_path_factory.mktemp("e2e-mail")
    database_url = f"sqlite:///{workdir / 'demo.db'}"
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "FREMDRIFT_DEMO": "1",
        "FREMDRIFT_PUBLIC_URL": base_url,
        "FREMDRIFT_SMTP_HOST": smtp.host,
        "FREMDRIFT_SMTP_PORT": str(smtp.port),
        "FREMDRIFT_SMTP_SECURITY": "none",
        "FREMDRIFT_WORKER_INTERVAL_SECONDS": "0.5",
    }
    subprocess.run([str(FREMDRIFT), "demo"], env=env, check=True, capture_output=True, timeout=120)
    log = workdir / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(FREMDRIFT), "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_up(process, f"{base_url}/login", log)
        yield LiveServer(base_url, "127.0.0.1", port, database_url)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_for_mail(smtp: SmtpServer, to: str) -> Message:
    deadline = time.monotonic() + MAIL_TIMEOUT_S
    while time.monotonic() < deadline:
        for message in smtp.recorder.messages:
            if message["To"] == to:
                return message
        time.sleep(0.2)
    pytest.fail(f"no mail to {to} within {MAIL_TIMEOUT_S} s")


def watch(page: Page, problems: list[str]) -> None:
    def on_console(message: ConsoleMessage) -> None:
        # Chromium logs every 4xx page; the reused link's 410 is the point of that step.
        if "/adgangskode/" in message.location.get("url", "") and "status of 410" in message.text:
            return
        if message.type == "error" or "Content Security Policy" in message.text:
            problems.append(f"{message.type}: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(str(error)))


def test_coordinator_invites_an_editor_who_chooses_a_password_and_lands_on_the_report(
    mailing_server: LiveServer, browser: Browser, smtp: SmtpServer
) -> None:
    problems: list[str] = []
    coordinator = browser.new_context(
        base_url=mailing_server.base_url, locale="da-DK", viewport={"width": 1280, "height": 900}
    )
    page = coordinator.new_page()
    watch(page, problems)
    page.goto("/login")
    page.get_by_label("E-mail").fill(COORDINATOR)
    page.get_by_label("Adgangskode").fill(PASSWORD)
    page.get_by_role("button", name="Log ind").click()
    page.get_by_role("navigation", name="Hovedmenu").get_by_role("link", name="Brugere").click()
    expect(page.get_by_role("heading", name="Brugere")).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "e2e-users-1280.png"), full_page=True)

    page.get_by_role("link", name="Inviter en bruger").click()
    page.get_by_label("E-mail").fill(NEW_EDITOR)
    page.get_by_label("Navn").fill("Nina Ny")
    page.get_by_label("Rolle").select_option(label="Redaktør i kommunen")
    page.get_by_label("Kommune").select_option(label="Allerød")
    page.get_by_role("button", name="Opret og send invitation").click()
    expect(page.get_by_role("status")).to_have_text("Brugeren er oprettet, og invitationen er sendt.")
    expect(page.get_by_role("heading", name="Nina Ny")).to_be_visible()
    expect(page.locator(".state").first).to_have_text("Inviteret")
    page.screenshot(path=str(SCREENSHOTS / "e2e-user-1280.png"), full_page=True)

    mail = wait_for_mail(smtp, NEW_EDITOR)
    assert mail["Subject"] == "Du er inviteret til Fremdrift"
    found = re.search(r"(https?://\S+/adgangskode/\S+)", body_of(mail, "plain"))
    assert found, body_of(mail, "plain")
    link = found.group(1)
    assert link.startswith(mailing_server.base_url)

    editor_context = browser.new_context(locale="da-DK", viewport={"width": 390, "height": 844})
    editor = editor_context.new_page()
    watch(editor, problems)
    editor.goto(link)
    expect(editor.get_by_role("heading", name="Velkommen til Fremdrift")).to_be_visible()
    editor.screenshot(path=str(SCREENSHOTS / "e2e-choose-390.png"), full_page=True)
    editor.get_by_label("Ny adgangskode").fill(NEW_PASSWORD)
    editor.get_by_label("Gentag den nye adgangskode").fill(NEW_PASSWORD)
    editor.get_by_role("button", name="Gem adgangskode og log ind").click()

    expect(editor).to_have_url(re.compile(r"/kommuner/201/2026$"))
    expect(editor.get_by_role("heading", level=1)).to_contain_text("Allerød")
    expect(editor.locator("header.site")).to_contain_text("Nina Ny")
    editor.screenshot(path=str(SCREENSHOTS / "e2e-landed-390.png"), full_page=True)

    # The link was single-use.
    editor.goto(link)
    expect(editor.get_by_role("heading", name="Linket virker ikke")).to_be_visible()

    # The coordinator sees the editor as active now, and the audit log has the story.
    page.goto("/brugere/log")
    expect(page.locator("table.audit")).to_contain_text("Adgangskode valgt fra invitation")
    expect(page.locator("table.audit")).to_contain_text("Invitation sendt")
    page.screenshot(path=str(SCREENSHOTS / "e2e-audit-1280.png"), full_page=True)
    assert problems == []
    coordinator.close()
    editor_context.close()
