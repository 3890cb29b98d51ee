"""A job centre downloads the offline workbook, fills it in with openpyxl as in Excel, and uploads it."""

import os
import re
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import create_engine, text

from tests.e2e.conftest import LiveServer
from tests.spreadsheet_helpers import fill, row_of

pytest.importorskip("playwright.sync_api")
from playwright.sync_api import Browser, Page, expect

PASSWORD = "demo-fremdrift"
YEAR = 2026
SHOTS = Path(os.environ.get("FREMDRIFT_E2E_SHOTS", "/tmp"))  # noqa: S108

pytestmark = pytest.mark.e2e


def _editor_without_a_report(live_server: LiveServer) -> tuple[str, int]:
    """A demo editor in KKR Hovedstaden whose 2026 report is not started (Allerød is the other test's)."""
    engine = create_engine(live_server.database_url)
    with engine.connect() as connection:
        email, code = connection.execute(
            text(
                "SELECT u.email, m.code FROM user_account u JOIN municipality m ON m.code = u.municipality_code "
                "JOIN reporting_round r ON r.kkr_id = m.kkr_id AND r.year = :year "
                "WHERE m.code <> 201 AND NOT EXISTS (SELECT 1 FROM status_report s "
                "WHERE s.round_id = r.id AND s.municipality_code = m.code) ORDER BY m.code LIMIT 1"
            ),
            {"year": YEAR},
        ).one()
    engine.dispose()
    return str(email), int(code)


def _log_in(page: Page, email: str) -> None:
    page.goto("/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Adgangskode").fill(PASSWORD)
    page.get_by_role("button", name="Log ind").click()
    expect(page.get_by_role("button", name="Log ud")).to_be_visible()


def test_editor_fills_in_the_workbook_offline_and_uploads_it(
    live_server: LiveServer, browser: Browser, tmp_path: Path
) -> None:
    email, code = _editor_without_a_report(live_server)
    context = browser.new_context(
        base_url=live_server.base_url, locale="da-DK", viewport={"width": 1280, "height": 900}, accept_downloads=True
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    _log_in(page, email)
    page.goto(f"/kommuner/{code}/{YEAR}")
    page.get_by_role("button", name="Start tom").click()
    expect(page.locator("#spreadsheets")).to_be_visible()
    page.locator("#spreadsheets").screenshot(path=str(SHOTS / "report-spreadsheets-1280.png"))
    page.set_viewport_size({"width": 390, "height": 844})
    page.locator("#spreadsheets").screenshot(path=str(SHOTS / "report-spreadsheets-390.png"))
    page.set_viewport_size({"width": 1280, "height": 900})

    with page.expect_download() as download_info:
        page.get_by_role("link", name="hent projektmappen").click()
    path = tmp_path / "skema.xlsx"
    download_info.value.save_as(path)
    assert download_info.value.suggested_filename.endswith(f"-{YEAR}.xlsx")

    workbook = openpyxl.load_workbook(path)
    first = workbook["Fremdriftsskema"]["A5"].value
    fill(workbook, first, colour="gul", remark="Udfyldt i Excel og indlæst igen.")
    workbook.save(path)
    bad = tmp_path / "forkert.xlsx"
    fill(workbook, first, colour="lilla")
    workbook.save(bad)

    page.get_by_role("link", name="indlæs den udfyldte projektmappe").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Indlæs et udfyldt skema")

    # A bad colour first: the error names sheet, row and column, and nothing is saved.
    page.get_by_label("Udfyldt projektmappe").set_input_files(bad)
    page.get_by_role("button", name="Indlæs", exact=True).click()
    refused = page.locator(".import-refused")
    expect(refused).to_contain_text("intet er gemt")
    row = refused.locator("tbody tr").first
    expect(row).to_contain_text("Fremdriftsskema")
    expect(row).to_contain_text(str(row_of(workbook, first)))
    expect(row).to_contain_text("E (Farve)")
    expect(row).to_contain_text("Vælg grøn, gul eller rød.")
    page.screenshot(path=str(SHOTS / "import-refused-1280.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(SHOTS / "import-refused-390.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})

    # Meanwhile a colleague sets the same row online: the upload shows both values and asks.
    page.goto(f"/kommuner/{code}/{YEAR}")
    online = page.locator(f"#row-{first}")
    online.get_by_label("Rød").check()
    expect(online.locator(".save-state")).to_contain_text("Gemt")
    page.goto(f"/kommuner/{code}/{YEAR}/indlaes")
    page.get_by_label("Udfyldt projektmappe").set_input_files(path)
    page.get_by_role("button", name="Indlæs", exact=True).click()
    conflicts = page.locator(".import-conflicts")
    expect(conflicts).to_contain_text("1 række er ændret online")
    expect(conflicts).to_contain_text("Udfyldt i Excel og indlæst igen.")
    page.screenshot(path=str(SHOTS / "import-conflict-1280.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(SHOTS / "import-conflict-390.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    conflicts.get_by_role("radio", name=re.compile("Projektmappens værdi")).check()
    conflicts.get_by_role("button", name="Gem med mine valg").click()
    done = page.locator(".import-done")
    expect(done).to_contain_text("Skemaet er indlæst.")
    expect(done).to_contain_text("1 række er ændret")
    page.screenshot(path=str(SHOTS / "import-done-1280.png"), full_page=True)

    done.get_by_role("link", name="Se statusrapporten").click()
    saved = page.locator(f"#row-{first}")
    expect(saved.get_by_label("Bemærkning")).to_have_value("Udfyldt i Excel og indlæst igen.")
    expect(saved.get_by_label("Gul")).to_be_checked()
    assert re.search(r"/kommuner/\d+/2026$", page.url)
    assert errors == []
    context.close()
