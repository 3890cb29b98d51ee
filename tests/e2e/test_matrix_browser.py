"""A coordinator reads the matrix in a real browser: moves to the year of the new catalogue
edition, filters by focus area, and drills down to the remarks of a cell, a column and a row."""

import re
from urllib.parse import urlsplit

import pytest

from tests.e2e.conftest import LiveServer

pytest.importorskip("playwright.sync_api")
from playwright.sync_api import Browser, ConsoleMessage, expect

COORDINATOR = "koordinator@demo.fremdrift.dk"
PASSWORD = "demo-fremdrift"

pytestmark = pytest.mark.e2e


def test_coordinator_filters_the_matrix_and_drills_down_to_remarks(live_server: LiveServer, browser: Browser) -> None:
    context = browser.new_context(
        base_url=live_server.base_url, locale="da-DK", viewport={"width": 1280, "height": 900}
    )
    foreign: list[str] = []
    problems: list[str] = []
    context.on(
        "request",
        lambda request: foreign.append(request.url) if urlsplit(request.url).port != live_server.port else None,
    )
    page = context.new_page()

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error" or "Content Security Policy" in message.text:
            problems.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.set_default_timeout(10_000)
    expect.set_options(timeout=10_000)

    page.goto("/login")
    page.get_by_label("E-mail").fill(COORDINATOR)
    page.get_by_label("Adgangskode").fill(PASSWORD)
    page.get_by_role("button", name="Log ind").click()
    expect(page.get_by_role("button", name="Log ud")).to_be_visible()

    # From the front page to the matrix, then to 2024: the first year of the new edition.
    page.get_by_role("link", name="Matrix: kommuner × anbefalinger").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("kommuner × anbefalinger")
    page.get_by_role("navigation", name="Runden").get_by_role("link", name="2024", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Status for 2024: kommuner × anbefalinger")
    matrix = page.get_by_role("table")
    expect(matrix.locator("tbody").get_by_role("rowheader")).to_have_count(29)  # every municipality

    # Filter: one focus area. Its new recommendation shows "• ny" in every reported cell.
    page.get_by_label("Fokusområde").select_option(label="Dokumentation af effekt af indsats")
    page.get_by_role("button", name="Vis").click()
    expect(page).to_have_url(re.compile(r"fokusomraade=dokumentation"))
    headers = matrix.get_by_role("columnheader")
    expect(headers).to_have_text(["Kommune", "D1 SKAL", "D2 KAN", "D4 KAN", "Grøn + gul", "SKAL grøn"])
    gentofte = matrix.get_by_role("row").filter(has=page.get_by_role("rowheader", name="Gentofte"))
    expect(gentofte.get_by_role("cell").nth(2)).to_contain_text("• ny")
    expect(matrix.get_by_role("rowheader", name="N =")).to_be_visible()

    # Drill down into a cell: the remarks arrive in the page (htmx), and the focus goes there.
    page.evaluate("window.__sameDocument = true")
    gentofte.get_by_role("cell").first.get_by_role("link").click()
    heading = page.locator("#remarks-heading")
    expect(heading).to_have_text("Bemærkninger 2024: Gentofte, D1")
    expect(heading).to_be_focused()
    assert page.evaluate("window.__sameDocument") is True  # no full reload

    # A column: every municipality's remark on D4.
    matrix.get_by_role("columnheader", name="D4 KAN").get_by_role("link").click()
    expect(heading).to_have_text("Bemærkninger 2024: D4")
    expect(page.locator("#remarks .remark-list li")).to_have_count(29)

    # A row: Brøndby's remarks, one of them the red SKAL row that keeps coming back.
    matrix.get_by_role("rowheader", name="Brøndby").get_by_role("link").click()
    expect(heading).to_have_text("Bemærkninger 2024: Brøndby")
    expect(page.locator("#remarks")).to_contain_text("afventer en fælles model fra koordinationsgruppen")
    assert page.evaluate("window.__sameDocument") is True

    # From there, Brøndby's years side by side, and "where to act" lists it.
    page.get_by_role("link", name="Se alle år for Brøndby").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Brøndby Kommune: udviklingen år for år")
    page.goto("/runder/1/2025/indsats")
    escalations = page.get_by_role("table").first
    expect(escalations.get_by_role("row").filter(has_text="Brøndby")).to_contain_text("2022, 2023, 2024, 2025")

    page.screenshot(path="/tmp/e2e-matrix.png", full_page=True)  # noqa: S108
    assert foreign == [], f"requests outside the app: {foreign}"
    assert problems == [], problems
    context.close()
