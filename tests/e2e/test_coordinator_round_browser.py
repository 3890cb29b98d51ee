"""A KKR coordinator runs the round in a real browser: creates and opens a round, reads the
follow-up overview, sends a submitted report back; the municipality then sees the comment."""

import re
from urllib.parse import urlsplit

import pytest

from tests.e2e.conftest import LiveServer

pytest.importorskip("playwright.sync_api")
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, expect

COORDINATOR = "koordinator@demo.fremdrift.dk"
FREDERIKSSUND_EDITOR = "frederikssund@demo.fremdrift.dk"  # submitted in the demo's open round
PASSWORD = "demo-fremdrift"
COMMENT = "Række V1: bemærkningen nævner ikke, hvem I samarbejder med. Uddyb den, og indsend igen."

pytestmark = pytest.mark.e2e


def new_page(browser: Browser, live_server: LiveServer, problems: list[str]) -> tuple[BrowserContext, Page]:
    context = browser.new_context(
        base_url=live_server.base_url, locale="da-DK", viewport={"width": 1280, "height": 900}
    )

    def on_request(url: str) -> None:
        if urlsplit(url).netloc != f"{live_server.host}:{live_server.port}":
            problems.append(f"request to another origin: {url}")

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            problems.append(f"console: {message.text}")

    context.on("request", lambda request: on_request(request.url))
    page = context.new_page()
    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.set_default_timeout(10_000)
    expect.set_options(timeout=10_000)
    return context, page


def log_in(page: Page, email: str) -> None:
    page.goto("/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Adgangskode").fill(PASSWORD)
    page.get_by_role("button", name="Log ind").click()
    expect(page.get_by_role("button", name="Log ud")).to_be_visible()


def test_coordinator_creates_and_opens_a_round_and_sends_a_report_back(
    own_live_server: LiveServer, browser: Browser
) -> None:
    live_server = own_live_server
    problems: list[str] = []
    context, page = new_page(browser, live_server, problems)
    log_in(page, COORDINATOR)

    # Create next year's round from the rounds page; the edition in force is offered first.
    page.get_by_role("navigation", name="Hovedmenu").get_by_role("link", name="Runder").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Opfølgningsrunder")
    page.get_by_label("Statusår").fill("2027")
    expect(page.get_by_label("Katalogudgave")).to_contain_text("gælder 2027")
    page.get_by_label("Åbner").fill("2028-01-03")
    page.get_by_label("Frist", exact=True).fill("2028-02-28")
    page.get_by_role("button", name="Opret runden").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("KKR Hovedstaden: status for 2027")
    expect(page.get_by_role("status")).to_contain_text("Runden er oprettet som planlagt")
    expect(page.locator(".big-count")).to_have_text("0 af 29 indsendt")
    page.get_by_role("button", name="Åbn runden for kommunerne").click()
    expect(page.get_by_role("status")).to_contain_text("Runden er åbnet")
    expect(page.locator("main")).to_contain_text("Runden er åben")

    # This year's round: the overview, filtered to the submitted reports.
    page.get_by_role("link", name="Opfølgningsrunder").click()
    page.get_by_role("link", name="KKR Hovedstaden: status for 2026").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("KKR Hovedstaden: status for 2026")
    expect(page.locator(".big-count")).to_have_text(re.compile(r"^\d+ af 29 indsendt$"))
    page.get_by_role("link", name=re.compile(r"^Indsendt \(\d+\)$")).click()
    rows = page.locator("table.follow-up tbody tr")
    expect(rows.first).to_be_visible()
    assert all(state == "Indsendt" for state in rows.locator(".state").all_inner_texts())
    page.get_by_role("link", name="Frederikssund").click()

    # Send Frederikssund's report back with a comment.
    expect(page.get_by_role("heading", level=1)).to_have_text("Frederikssund Kommune: status for 2026")
    page.get_by_label("Send tilbage med en kommentar").fill(COMMENT)
    page.get_by_role("button", name="Send tilbage til kommunen").click()
    expect(page.locator(".notice[role=status]").first).to_contain_text("sendt tilbage til kommunen")
    expect(page.locator("#timeline")).to_contain_text("Sendt tilbage")
    context.close()

    # The municipality sees the comment at the top of its page, and can submit again.
    context, page = new_page(browser, live_server, problems)
    log_in(page, FREDERIKSSUND_EDITOR)
    page.goto("/kommuner/250/2026")
    notice = page.locator(".notice.sent-back")
    expect(notice).to_contain_text("Sendt tilbage af Demo Koordinator")
    expect(notice).to_contain_text(COMMENT)
    expect(page.get_by_role("button", name="Indsend statusrapporten")).to_be_visible()
    expect(page.locator("#timeline")).to_contain_text(COMMENT)
    page.screenshot(path="/tmp/e2e-sent-back.png", full_page=False)  # noqa: S108
    context.close()

    assert problems == []
