"""A coordinator writes the round's summary in a real browser: it saves as they type, their typing
stays, and the consolidated report page shows it, with nothing fetched from elsewhere."""

import re

import pytest

from tests.e2e.conftest import LiveServer

pytest.importorskip("playwright.sync_api")
from playwright.sync_api import Browser, expect

COORDINATOR = "koordinator@demo.fremdrift.dk"
PASSWORD = "demo-fremdrift"

pytestmark = pytest.mark.e2e


def test_coordinator_writes_the_summary_and_reads_it_in_the_report(live_server: LiveServer, browser: Browser) -> None:
    context = browser.new_context(
        base_url=live_server.base_url, locale="da-DK", viewport={"width": 1280, "height": 900}
    )
    requests: list[str] = []
    errors: list[str] = []
    context.on("request", lambda request: requests.append(request.url))
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.set_default_timeout(15_000)
    expect.set_options(timeout=15_000)

    page.goto("/login")
    page.get_by_label("E-mail").fill(COORDINATOR)
    page.get_by_label("Adgangskode").fill(PASSWORD)
    page.get_by_role("button", name="Log ind").click()
    page.get_by_role("heading", name="KKR Hovedstaden: status for 2025").click()  # opens the round's card
    page.get_by_role("link", name="Samlet afrapportering 2025").click()
    expect(page).to_have_url(re.compile(r"/runder/\d+/rapport$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Samlet afrapportering 2025")
    page.get_by_role("link", name="Skriv koordinationsgruppens tekster").click()

    summary = page.get_by_label("Sammenfatning")
    summary.fill("Flere kommuner er kommet i gang.\n\nDer er fortsat røde SKAL-rækker.")
    summary.blur()  # "change": saved at once
    section = page.locator("section.text-section").first
    expect(section.locator(".text-state")).to_contain_text("Gemt")
    expect(section.locator("input[name=version]")).to_have_value("1")
    # Typing on: saved after a pause, and the text in the box is never replaced under the cursor.
    summary.press("End")
    summary.type(" Koordinationsgruppen følger op.")
    expect(section.locator("input[name=version]")).to_have_value("2")
    expect(summary).to_have_value(
        "Flere kommuner er kommet i gang.\n\nDer er fortsat røde SKAL-rækker. Koordinationsgruppen følger op."
    )

    page.get_by_role("link", name="Tilbage til den samlede afrapportering").click()
    report = page.locator(".report-doc")
    expect(report.get_by_role("heading", name="Sammenfatning")).to_be_visible()
    expect(report).to_contain_text("Flere kommuner er kommet i gang.")
    expect(report).to_contain_text("Der er fortsat røde SKAL-rækker. Koordinationsgruppen følger op.")
    expect(report.locator("svg title").first).to_have_text(re.compile("Fordelingen af farver"))
    page.screenshot(path="/tmp/e2e-round-report.png", full_page=False)  # noqa: S108

    outside = [url for url in requests if not url.startswith(live_server.base_url)]
    assert outside == []
    assert errors == []
    context.close()
