"""A job centre head fills in Allerød's 2026 status report in a real browser, from log-in to submit."""

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.e2e.conftest import LiveServer

pytest.importorskip("playwright.sync_api")
from playwright.sync_api import Browser, ConsoleMessage, Locator, Page, Request, expect

EDITOR = "alleroed@demo.fremdrift.dk"
PASSWORD = "demo-fremdrift"
REPORT_PATH = "/kommuner/201/2026"
SCREENSHOT = Path(os.environ.get("FREMDRIFT_E2E_SCREENSHOT", "/tmp/e2e-report.png"))  # noqa: S108
EXPECTED_422 = re.compile(r"https?://[^/]+/rapporter/\d+/indsend$")  # the early submit: a 422 page
COLOURS = ("Grøn", "Gul", "Rød")
SCRIPT_REMARK = "<script>window.__xss = 1</script> Aftalen er på vej & underskrives i marts."

pytestmark = pytest.mark.e2e


@dataclass
class BrowserLog:
    """Everything the browser asked for and complained about while the test ran."""

    requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    def on_request(self, request: Request) -> None:
        self.requests.append(request.url)

    def on_console(self, message: ConsoleMessage) -> None:
        text, url = message.text, message.location.get("url", "")
        if message.type != "error" and "Content Security Policy" not in text and "Refused to" not in text:
            return
        # Chromium logs every 4xx answer to a script's request; the early submit's 422 is the point of that step.
        if EXPECTED_422.match(url) and "status of 422" in text:
            return
        self.console_errors.append(f"{message.type}: {text} ({url})")


def row(page: Page, key: str) -> Locator:
    return page.locator(f"#row-{key}")


def version_of(row_locator: Locator) -> int:
    return int(row_locator.locator("input[name=version]").input_value())


def expect_saved(row_locator: Locator, before: int) -> None:
    """The row came back from the server one version on, and says so."""
    expect(row_locator.locator("input[name=version]")).to_have_value(str(before + 1))
    expect(row_locator.locator(".save-state")).to_contain_text("Gemt")


def checked_colour(page: Page, key: str) -> str | None:
    for label in COLOURS:
        if row(page, key).get_by_label(label).is_checked():
            return label
    return None


def choose_colour(page: Page, key: str, *preferred: str) -> str:
    """Click the first preferred colour the row does not have yet; a click that changes nothing saves nothing."""
    label = next(label for label in preferred if label != checked_colour(page, key))
    target = row(page, key)
    before = version_of(target)
    target.get_by_label(label).check()
    expect_saved(row(page, key), before)
    return label


def write_remark(page: Page, key: str, text: str) -> None:
    target = row(page, key)
    before = version_of(target)
    remark = target.get_by_label("Bemærkning")
    remark.fill(text)
    remark.blur()  # the browser fires "change" on blur, and htmx saves the row
    expect_saved(row(page, key), before)


def clear_remark(page: Page, key: str) -> None:
    if row(page, key).get_by_label("Bemærkning").input_value():
        write_remark(page, key, "")


def confirm(page: Page, key: str) -> None:
    target = row(page, key)
    before = version_of(target)
    target.get_by_role("button", name="Bekræft").click()
    expect_saved(row(page, key), before)
    expect(row(page, key).get_by_role("button", name="Bekræft")).to_have_count(0)


def row_keys(page: Page) -> list[str]:
    ids = page.locator("article.status-row").evaluate_all("rows => rows.map(r => r.id)")
    return [row_id.removeprefix("row-") for row_id in ids]


def test_editor_fills_in_and_submits_the_status_report(live_server: LiveServer, browser: Browser) -> None:
    log = BrowserLog()
    context = browser.new_context(
        base_url=live_server.base_url, locale="da-DK", viewport={"width": 1280, "height": 900}
    )
    context.on("request", log.on_request)
    page = context.new_page()
    page.on("console", log.on_console)
    page.on("pageerror", lambda error: log.page_errors.append(str(error)))
    page.set_default_timeout(10_000)
    expect.set_options(timeout=10_000)

    # Log in as Allerød's job centre head and find this year's report from the front page.
    page.goto("/login")
    page.get_by_label("E-mail").fill(EDITOR)
    page.get_by_label("Adgangskode").fill(PASSWORD)
    page.get_by_role("button", name="Log ind").click()
    expect(page.get_by_role("button", name="Log ud")).to_be_visible()
    task = page.locator("#task-201-2026")
    expect(task.get_by_role("heading")).to_have_text("Udfyld Allerøds status for 2026")
    link = task.locator(f'a[href="{REPORT_PATH}"]')
    expect(link).to_have_text("Start statusrapporten")
    link.click()
    expect(page).to_have_url(re.compile(REPORT_PATH + "$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Allerød Kommune: status for 2026")

    # Start from last year's statuses: the rows come over unconfirmed.
    page.get_by_role("button", name="Start fra status for 2025").click()
    expect(page.locator("#report-progress")).to_contain_text("overførte fra 2025")
    keys = row_keys(page)
    assert len(keys) == 16, keys
    # Rows that take a colour (a row that is fravalgt has its colour buttons disabled).
    first, second, third, fourth = [
        key for key in keys if row(page, key).locator("input[type=radio]:disabled").count() == 0
    ][:4]

    # Colours and remarks, each saved on its own and acknowledged.
    colours = {
        first: choose_colour(page, first, "Gul", "Rød"),
        second: choose_colour(page, second, "Rød", "Gul"),
        third: choose_colour(page, third, "Grøn", "Gul"),
        fourth: choose_colour(page, fourth, "Gul", "Rød"),
    }
    write_remark(page, first, "Drøftelser med Furesø og Rudersdal er i gang.")
    write_remark(page, second, SCRIPT_REMARK)
    # Left yellow or red without a remark on purpose: submit must say so.
    clear_remark(page, fourth)

    # A reload shows exactly what was saved.
    page.reload()
    for key, colour in colours.items():
        expect(row(page, key).get_by_label(colour)).to_be_checked()
    expect(row(page, first).get_by_label("Bemærkning")).to_have_value("Drøftelser med Furesø og Rudersdal er i gang.")
    expect(row(page, second).get_by_label("Bemærkning")).to_have_value(SCRIPT_REMARK)
    expect(row(page, fourth).get_by_label("Bemærkning")).to_have_value("")
    for key in (first, second, third, fourth):
        expect(row(page, key).locator(".badge.unconfirmed")).to_have_count(0)
        expect(row(page, key)).to_contain_text("Senest ændret af Jobcenterchef, Allerød (demo)")

    # Confirm whatever is still carried over unchanged.
    for key in row_keys(page):
        if row(page, key).get_by_role("button", name="Bekræft").count():
            confirm(page, key)
    expect(page.get_by_role("button", name="Bekræft")).to_have_count(0)

    # Submitting too early (from the "check your answers" step) lists what is missing, each item
    # naming the recommendation and linking to its row; the form below lists the same.
    page.get_by_role("link", name="Tjek dine svar").click()
    page.get_by_role("button", name="Indsend statusrapporten").click()
    summary = page.locator("[data-module=error-summary]")
    expect(summary).to_contain_text("kan ikke indsendes endnu")
    expect(summary).to_be_focused()  # DKFDS's ErrorSummary puts the keyboard user on it
    expect(summary.locator(f"a[href$='#row-{fourth}']")).to_contain_text(f"{colours[fourth]} kræver en bemærkning.")
    page.get_by_role("link", name="Tilbage til skemaet").click()
    checklist = page.locator("#submit-checklist")
    fourth_item = checklist.locator(f"li:has(a[href='#row-{fourth}'])")
    expect(fourth_item).to_contain_text(f"{colours[fourth]} kræver en bemærkning.")
    expect(page.get_by_role("radio")).not_to_have_count(0)

    # Complete what is missing, as the list says; the list shrinks as each row is saved.
    items = [
        (link.get_attribute("href") or "", text)
        for link, text in zip(checklist.locator("li a").all(), checklist.locator("li").all_inner_texts(), strict=True)
    ]
    for href, text in items:
        key = href.removeprefix("#row-")
        if "mangler en farve" in text:
            choose_colour(page, key, "Grøn")
        elif "kræver en bemærkning" in text:
            write_remark(page, key, "Pilotforløb i gang i én afdeling; udbredelse afventer evaluering.")
        else:
            pytest.fail(f"unexpected missing item after confirming every row: {text}")
    expect(checklist).to_contain_text("Alle krav er opfyldt")

    page.screenshot(path=str(SCREENSHOT), full_page=True)

    page.get_by_role("link", name="Tjek dine svar").click()
    page.get_by_role("button", name="Indsend statusrapporten").click()
    expect(page.locator(".notice.submitted")).to_contain_text("Indsendt")
    expect(page).to_have_url(re.compile(REPORT_PATH + "$"))

    # Read-only now: no colour to pick, no remark to edit, no submit, and the values are there.
    expect(page.get_by_role("radio")).to_have_count(0)
    expect(page.locator("textarea")).to_have_count(0)
    expect(page.get_by_role("button", name="Indsend statusrapporten")).to_have_count(0)
    expect(row(page, first)).to_contain_text(colours[first])
    expect(row(page, first)).to_contain_text("Drøftelser med Furesø og Rudersdal er i gang.")
    expect(row(page, second).locator(".row-readonly .remark-text")).to_have_text(SCRIPT_REMARK)

    # The remark with <script> is text: no element was made of it, and it never ran.
    assert page.locator("main script").count() == 0
    assert page.evaluate("window.__xss") is None

    # Only the app itself was asked for anything, and the browser had nothing to complain about.
    hosts = {urlsplit(url).netloc for url in log.requests if not url.startswith(("data:", "blob:", "about:"))}
    assert hosts == {f"{live_server.host}:{live_server.port}"}, log.requests
    assert log.page_errors == []
    assert log.console_errors == []
    context.close()


def test_text_typed_while_the_colour_is_saving_is_kept(live_server: LiveServer, browser: Browser) -> None:
    context = browser.new_context(base_url=live_server.base_url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto("/login")
    page.get_by_label("E-mail").fill("ballerup@demo.fremdrift.dk")
    page.get_by_label("Adgangskode").fill(PASSWORD)
    page.get_by_role("button", name="Log ind").click()
    page.goto("/kommuner/151/2026")
    if page.get_by_role("button", name="Start tom").count():
        page.get_by_role("button", name="Start tom").click()
    key = row_keys(page)[0]
    before = version_of(row(page, key))
    # A slow line (1 s each way), as on a busy municipal network.
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 1000, "downloadThroughput": -1, "uploadThroughput": -1},
    )
    choose = "Rød" if checked_colour(page, key) != "Rød" else "Gul"
    row(page, key).get_by_label(choose).check()
    remark = row(page, key).get_by_label("Bemærkning")
    remark.click()
    page.keyboard.type("Skrevet mens farven blev gemt.")
    expect(row(page, key).locator("input[name=version]")).to_have_value(str(before + 1))
    try:
        # The answer to the colour's save replaced the row, and the typing is still there ...
        expect(row(page, key).get_by_label("Bemærkning")).to_have_value(
            re.compile("Skrevet mens farven blev gemt"), timeout=3_000
        )
        # ... and is saved next, on top of the version the colour's save produced.
        expect(row(page, key).locator("input[name=version]")).to_have_value(str(before + 2), timeout=6_000)
        cdp.send(
            "Network.emulateNetworkConditions",
            {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
        )
        page.reload()
        expect(row(page, key).get_by_label("Bemærkning")).to_have_value(re.compile("Skrevet mens farven blev gemt"))
        expect(row(page, key).get_by_label(choose)).to_be_checked()
    finally:
        context.close()
