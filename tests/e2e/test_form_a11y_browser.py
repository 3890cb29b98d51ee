"""Issue 16 in a real browser: the form as a keyboard user, a screen-reader user and a hurried
job centre head meet it. Each test uses its own demo municipality, so they share one live server.

axe-core runs on every state of the form (tests/e2e/axe.py), and every test fails on any console
error or CSP violation (htmx must apply nothing inline)."""

import os
import re
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from tests.e2e.axe import assert_no_serious_violations
from tests.e2e.conftest import LiveServer

pytest.importorskip("playwright.sync_api")
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect

PASSWORD = "demo-fremdrift"
SHOTS = Path(os.environ.get("FREMDRIFT_E2E_SHOTS", "/tmp/e2e-16"))  # noqa: S108
EXPECTED_STATUS = re.compile(r"status of (409|422)")  # a refused save or submit answers with its own page
# Recorded by the page itself from its first script on: a CSP violation is an event, whatever the console says.
WATCH_CSP = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + (e.sample || ""));
});
"""

pytestmark = pytest.mark.e2e
# The outline drawn around the radio with this id (DKFDS draws the radio on its label's ::before).
FOCUS_RING = """(id) => {
  const style = getComputedStyle(document.querySelector(`label[for="${id}"]`), "::before");
  return [style.outlineStyle, style.outlineWidth, style.boxShadow];
}"""


class Watched:
    """A logged-in page whose console errors and CSP violations fail the test."""

    def __init__(self, context: BrowserContext, page: Page) -> None:
        self.context, self.page = context, page
        self.console: list[str] = []
        self.requests: list[str] = []
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.console.append(f"pageerror: {error}"))
        page.on("request", lambda request: self.requests.append(f"{request.method} {request.url}"))

    def _on_console(self, message: object) -> None:
        text = getattr(message, "text", "")
        kind = getattr(message, "type", "")
        if kind == "error" and EXPECTED_STATUS.search(text):
            return
        if kind == "error" or "Content Security Policy" in text or "Refused to" in text:
            self.console.append(f"{kind}: {text}")

    def check(self) -> None:
        violations = self.page.evaluate("window.__csp || []")
        assert violations == [], violations
        assert self.console == [], self.console

    def saves(self) -> list[str]:
        return [r for r in self.requests if r.startswith("POST ") and "/raekker/" in r]


Login = Callable[..., Watched]


@pytest.fixture
def open_as(live_server: LiveServer, browser: Browser) -> Iterator[Login]:
    opened: list[Watched] = []

    def login(email: str, *, width: int = 1280) -> Watched:
        context = browser.new_context(
            base_url=live_server.base_url, locale="da-DK", viewport={"width": width, "height": 900}
        )
        context.add_init_script(WATCH_CSP)
        page = context.new_page()
        page.set_default_timeout(10_000)
        watched = Watched(context, page)
        page.goto("/login")
        page.get_by_label("E-mail").fill(email)
        page.get_by_label("Adgangskode").fill(PASSWORD)
        page.get_by_role("button", name="Log ind").click()
        expect(page.get_by_role("button", name="Log ud")).to_be_visible()
        opened.append(watched)
        return watched

    expect.set_options(timeout=10_000)
    yield login
    for watched in opened:
        try:
            watched.check()
        finally:
            watched.context.close()


def row(page: Page, key: str) -> Locator:
    return page.locator(f"#row-{key}")


def version(page: Page, key: str) -> int:
    return int(row(page, key).locator("input[name=version]").input_value())


def active_id(page: Page) -> str:
    return str(page.evaluate("document.activeElement ? document.activeElement.id : ''"))


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    width = page.viewport_size["width"] if page.viewport_size else 0
    page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)


def tab_to(page: Page, selector: str, *, limit: int = 60, back: bool = False) -> None:
    """Press Tab (or Shift+Tab) until the focus is on ``selector``: the keyboard's way of getting there."""
    for _ in range(limit):
        if page.evaluate("(s) => !!document.activeElement && document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Shift+Tab" if back else "Tab")
    raise AssertionError(f"Tab never reached {selector}; the focus is on #{active_id(page)}")


def start(page: Page, code: int, button: str) -> None:
    page.goto(f"/kommuner/{code}/2026")
    page.get_by_role("button", name=button).click()
    expect(page.locator("#report-progress")).to_be_visible()


# ---------------------------------------------------------------------------- 2: the keyboard user


def test_the_whole_form_by_keyboard_alone_with_the_focus_kept_after_each_save(open_as: Login) -> None:
    # Gladsaxe: Allerød is the other browser test's (tests/e2e/test_status_report_browser.py).
    watched = open_as("gladsaxe@demo.fremdrift.dk")
    page = watched.page
    # Finding 8: the front page shows the task, with one obvious button.
    assert_no_serious_violations(page, "the editor's front page")
    task = page.locator("#task-159-2026")
    expect(task.get_by_role("heading")).to_have_text("Udfyld Gladsaxes status for 2026")
    expect(task).to_contain_text("Frist 28. februar 2027")
    expect(task.get_by_role("link")).to_have_text("Start statusrapporten")
    shot(page, "front-page")
    tab_to(page, "#task-159-2026 a.button")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile("/kommuner/159/2026$"))
    assert_no_serious_violations(page, "the form before the start")
    tab_to(page, "button[name=carry_over][value=true]")
    expect(page.locator(":focus")).to_have_text("Start fra status for 2025")
    page.keyboard.press("Enter")
    expect(page.locator("#confirm-all")).to_be_visible()
    assert_no_serious_violations(page, "the form carried over")
    shot(page, "form-carried-over")

    first = "hov24-v1"
    # Arrow keys on the colours save at every step, and the focus stays on the chosen colour.
    tab_to(page, f"#row-{first} input[name=colour]")
    start_colour = page.evaluate("document.activeElement.value")
    # The focus ring is clearly visible (3 px, with a halo) and unlike the selected state.
    ring = page.evaluate(FOCUS_RING, active_id(page))
    assert ring[0] == "solid" and ring[1] == "3px" and "255, 221, 0" in ring[2], ring
    other_checked = page.locator("#row-hov24-v2 input[name=colour]:checked").get_attribute("id")
    assert page.evaluate(FOCUS_RING, other_checked)[0] == "none"  # selected, not focused: no ring
    for step in range(3):
        # A person presses the next key after the row has settled, not within htmx's 20 ms of it.
        expect(page.locator(".htmx-request, .htmx-swapping, .htmx-settling")).to_have_count(0)
        before = version(page, first)
        page.keyboard.press("ArrowRight")
        expect(row(page, first).locator("input[name=version]")).to_have_value(str(before + 1))
        expect(row(page, first).locator(".save-state")).to_contain_text("Gemt")
        focused = active_id(page)
        assert focused.startswith("colour-") and focused.endswith(page.evaluate("document.activeElement.value")), (
            focused
        )
        assert row(page, first).locator(f"#{focused}").is_checked(), f"step {step}: focus on {focused}"
        expect(page.locator("#save-announcer")).to_contain_text("Gemt")
    assert page.evaluate("document.activeElement.value") == start_colour  # three steps: round the three colours
    # A remark typed, then Tab: saved, and the focus is where Tab put it (in the row, not the page body).
    expect(page.locator(".htmx-request, .htmx-swapping, .htmx-settling")).to_have_count(0)
    page.keyboard.press("Tab")
    assert active_id(page).startswith("remark-")
    page.keyboard.press("Control+A")
    page.keyboard.type("Drøftet med Furesø og Rudersdal; aftale i foråret.")
    before = version(page, first)
    page.keyboard.press("Tab")
    expect(row(page, first).locator("input[name=version]")).to_have_value(str(before + 1))
    expect(page.locator(":focus")).to_have_attribute("id", re.compile(r"^history-"))  # the next stop in the row
    expect(row(page, first).locator(".badge.unconfirmed")).to_have_count(0)

    # Finding 5: the other 15 rows carried over unchanged, confirmed in one go; the focus lands on the result.
    carried = page.locator(".badge.unconfirmed").count()
    tab_to(page, "#confirm-all button", back=True, limit=200)
    expect(page.locator(":focus")).to_have_text(f"Bekræft alle uændrede ({carried})")
    page.keyboard.press("Enter")
    expect(page.locator("#confirmed-all")).to_be_focused()
    expect(page.locator("#confirmed-all")).to_contain_text(f"{carried} overførte rækker er bekræftet uændret")
    expect(page.locator(".badge.unconfirmed")).to_have_count(0)

    # On to "check your answers"; fix what it says is missing, by keyboard, until nothing is.
    for attempt in range(16):
        # The progress (with its button) comes before the rows: forward from the alert, back from a row.
        tab_to(page, "#report-progress a.to-check", limit=200, back=attempt > 0)
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", level=1)).to_contain_text("Tjek dine svar")
        missing = page.locator("#still-missing a")
        if missing.count() == 0:
            break
        assert_no_serious_violations(page, "check your answers, with something missing")
        tab_to(page, "#still-missing a")
        href = page.evaluate("document.activeElement.getAttribute('href')")
        text = page.evaluate("document.activeElement.textContent")
        key = href.rsplit("#row-", 1)[1]
        page.keyboard.press("Enter")
        expect(page).to_have_url(re.compile(f"#row-{key}$"))
        before = version(page, key)
        if "farve" in text:
            tab_to(page, f"#row-{key} input[name=colour]", limit=200)
            page.keyboard.press("Space")
            expect(row(page, key).locator("input[name=version]")).to_have_value(str(before + 1))
            assert active_id(page).startswith("colour-")
        else:
            tab_to(page, f"#row-{key} textarea", limit=200)
            page.keyboard.type("Pilotforløb i gang; udbredelse afventer evaluering.")
            page.keyboard.press("Tab")
            expect(row(page, key).locator("input[name=version]")).to_have_value(str(before + 1))
            assert active_id(page) != "" and row(page, key).locator(":focus").count() == 1
    else:
        pytest.fail("the checklist never emptied")
    assert_no_serious_violations(page, "check your answers")
    shot(page, "check-your-answers")
    tab_to(page, "#submit-final button")
    page.keyboard.press("Enter")
    expect(page.locator(".notice.submitted")).to_contain_text("Indsendt")
    expect(page.get_by_role("radio")).to_have_count(0)
    # Finding 10: submitted, yet the committee's fields are open, and the page says why.
    expect(page.locator(".notice.submitted")).to_contain_text("den politiske behandling nederst kan stadig udfyldes")
    expect(page.locator("#committee_name")).to_be_editable()
    assert_no_serious_violations(page, "the submitted report")
    shot(page, "form-submitted")


# ---------------------------------------------------------------------------- 1: a misclick on Fravalgt


def test_ticking_fravalgt_saves_nothing_until_the_reason_is_written_and_unticking_keeps_the_colour(
    open_as: Login,
) -> None:
    watched = open_as("hoersholm@demo.fremdrift.dk")
    page = watched.page
    start(page, 223, "Start fra status for 2025")
    key = "hov24-v4"  # a KAN row
    target = row(page, key)
    target.get_by_label("Gul").check()
    expect(target.locator(".save-state")).to_contain_text("Gemt")
    saved_version = version(page, key)
    saves = len(watched.saves())

    box = target.get_by_label(re.compile("^Fravalgt"))
    box.check()  # the misclick
    expect(target.get_by_label("Begrundelse for fravalg")).to_be_visible()
    expect(page.locator("#save-announcer")).to_contain_text("Skriv begrundelsen")
    page.wait_for_timeout(500)
    assert len(watched.saves()) == saves, "ticking Fravalgt without a reason sent a save"
    assert version(page, key) == saved_version
    expect(target.get_by_label("Gul")).to_be_checked()
    box.uncheck()  # undone: the row is as it was
    expect(target.get_by_label("Gul")).to_be_checked()
    page.reload()
    expect(row(page, key).get_by_label("Gul")).to_be_checked()
    expect(row(page, key).get_by_label(re.compile("^Fravalgt"))).not_to_be_checked()

    # Done on purpose, with a reason: saved once the reason is written.
    target = row(page, key)
    before = version(page, key)
    target.get_by_label(re.compile("^Fravalgt")).check()
    reason = target.get_by_label("Begrundelse for fravalg")
    reason.fill("Kommunen har ingen virksomheder af den størrelse.")
    reason.blur()
    expect(row(page, key).locator("input[name=version]")).to_have_value(str(before + 1))
    expect(row(page, key).get_by_label(re.compile("^Fravalgt"))).to_be_checked()
    assert_no_serious_violations(page, "the form with a row fravalgt")
    # Choosing a colour means the recommendation is followed after all: no longer fravalgt.
    before = version(page, key)
    row(page, key).get_by_label("Grøn").check()
    expect(row(page, key).locator("input[name=version]")).to_have_value(str(before + 1))
    expect(row(page, key).get_by_label("Grøn")).to_be_checked()
    expect(row(page, key).get_by_label(re.compile("^Fravalgt"))).not_to_be_checked()


# ---------------------------------------------------------------------------- 4: nothing inline


def test_saves_errors_and_conflicts_apply_nothing_inline(open_as: Login) -> None:
    jette = open_as("rudersdal@demo.fremdrift.dk")
    page = jette.page
    start(page, 230, "Start tom")
    key = "hov24-v1"
    for colour in ("Grøn", "Gul", "Rød"):
        before = version(page, key)
        row(page, key).get_by_label(colour).check()
        expect(row(page, key).locator("input[name=version]")).to_have_value(str(before + 1))
    remark = row(page, key).get_by_label("Bemærkning")
    remark.fill("Aftale på plads.")
    remark.blur()
    expect(row(page, key).locator(".save-state")).to_contain_text("Gemt")

    # The error state: a remark that looks like it holds a CPR number, refused next to the field.
    remark = row(page, key).get_by_label("Bemærkning")
    remark.fill("Kontakt 010190-1234 for detaljer.")
    remark.blur()
    expect(row(page, key).locator(".remark .form-error-message")).to_contain_text("CPR-nummer")
    expect(row(page, key).get_by_label("Bemærkning")).to_have_value("Kontakt 010190-1234 for detaljer.")
    expect(page.locator("#error-announcer")).to_contain_text("Ikke gemt")
    assert_no_serious_violations(page, "the form with an error")
    shot(page, "form-error")

    # The conflict state: a colleague saved the same row in the meantime.
    colleague = open_as("rudersdal@demo.fremdrift.dk")
    other = colleague.page
    other.goto("/kommuner/230/2026")
    other_remark = row(other, key).get_by_label("Bemærkning")
    other_remark.fill("Kollegaens tekst.")
    other_remark.blur()
    expect(row(other, key).locator(".save-state")).to_contain_text("Gemt")
    remark = row(page, key).get_by_label("Bemærkning")
    remark.fill("Aftale på plads, uden CPR-nummer.")
    remark.blur()
    conflict = row(page, key).locator(".conflict")
    expect(conflict).to_contain_text("Ikke gemt")
    expect(conflict).to_contain_text(": ”Kollegaens tekst.”")  # no stray space, Danish quotes
    assert " : " not in conflict.inner_text()
    expect(page.locator("#error-announcer")).to_contain_text("Rækken er ændret af Jobcenterchef, Rudersdal (demo)")
    assert_no_serious_violations(page, "the form with a conflict")
    shot(page, "form-conflict")
    jette.check()  # no console error, no CSP violation, through saves, an error and a conflict


# ---------------------------------------------------------------------------- 6: no report last year


def _skipped_last_year(database_url: str) -> tuple[int, str, int]:
    """A Hovedstaden municipality of the demo with no report for 2025 but an earlier one, and no
    2026 report yet: (code, demo e-mail, the year of its latest earlier report)."""
    path = make_url(database_url).database
    assert path is not None
    with closing(sqlite3.connect(path)) as connection:
        found = connection.execute(
            """
            SELECT m.code, m.name, MAX(r.year) FROM municipality m
            JOIN status_report s ON s.municipality_code = m.code
            JOIN reporting_round r ON r.id = s.round_id
            WHERE r.year < 2025 AND m.kkr_id = (SELECT kkr_id FROM municipality WHERE code = 201)
              AND m.code NOT IN (SELECT s2.municipality_code FROM status_report s2
                                 JOIN reporting_round r2 ON r2.id = s2.round_id WHERE r2.year IN (2025, 2026))
            GROUP BY m.code, m.name ORDER BY m.code LIMIT 1
            """
        ).fetchone()
    assert found is not None, "the demo has no municipality that skipped 2025"
    code, name, year = found
    slug = name.lower().translate(str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", " ": "-"}))
    return code, f"{slug}@demo.fremdrift.dk", year


def test_starting_from_last_year_uses_the_latest_earlier_report_and_says_which(
    open_as: Login, live_server: LiveServer
) -> None:
    code, email, earlier = _skipped_last_year(live_server.database_url)
    page = open_as(email).page
    page.goto(f"/kommuner/{code}/2026")
    start_card = page.locator("#start")
    expect(start_card).to_contain_text(f"status for {earlier}")
    expect(start_card).to_contain_text("der er ingen rapport for 2025")
    assert_no_serious_violations(page, "the form before the start, with a year missed")
    page.get_by_role("button", name=f"Start fra status for {earlier}").click()
    expect(page.locator("#confirm-all")).to_contain_text(f"overført fra {earlier}")
    carried = page.locator(".badge.unconfirmed")
    expect(carried.first).to_have_text(f"Overført fra {earlier}, ikke bekræftet")
    assert carried.count() > 8, f"the {earlier} statuses were not carried over"
    expect(page.locator(".previous h4").first).to_have_text(str(earlier))


# ---------------------------------------------------------------------------- 7, 9, 10: the long page


def test_contents_progress_in_view_and_history_at_both_widths(open_as: Login) -> None:
    page = open_as("egedal@demo.fremdrift.dk").page
    start(page, 240, "Start fra status for 2025")
    expect(page.locator("#submit-checklist li").first).to_be_visible()
    assert_no_serious_violations(page, "the form with its checklist of what is missing")
    contents = page.get_by_role("navigation", name="Indsatsområder")
    expect(contents.get_by_role("link")).to_have_count(4)
    contents.get_by_role("link").nth(2).click()
    expect(page).to_have_url(re.compile("#area-"))
    page.mouse.wheel(0, 20_000)  # to the bottom of the long page
    page.wait_for_timeout(300)
    box = page.locator("#report-progress").bounding_box()
    assert box is not None and 0 <= box["y"] < 900, f"the progress summary scrolled out of view: {box}"

    # History: a heading that says whose and which year, a way back, no column thousands of pixels wide.
    long_remark = "Lang bemærkning uden mellemrum: " + "x" * 1500
    remark = row(page, "hov24-v1").get_by_label("Bemærkning")
    remark.fill(long_remark)
    remark.blur()
    expect(row(page, "hov24-v1").locator(".save-state")).to_contain_text("Gemt")
    row(page, "hov24-v1").get_by_role("link", name=re.compile("^Historik")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Historik: Egedal Kommune, status for 2026")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    assert_no_serious_violations(page, "the history")
    shot(page, "history")
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "history")
    page.get_by_role("link", name="Tilbage til Egedals status for 2026").click()
    expect(page).to_have_url(re.compile("/kommuner/240/2026#row-hov24-v1$"))
    page.goto("/kommuner/240/2026")

    # At 390 px the header wraps and "Log ud" is in reach; the page does not scroll sideways.
    expect(page.get_by_role("button", name="Log ud")).to_be_in_viewport()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "form-carried-over")
    page.mouse.wheel(0, 5_000)
    page.wait_for_timeout(300)
    box = page.locator("#report-progress").bounding_box()
    assert box is not None and 0 <= box["y"] < 844, f"at 390 px the progress scrolled out of view: {box}"
    page.goto("/kommuner/240/2026/tjek")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    expect(page.get_by_role("link", name=re.compile("^Ret"))).to_have_count(16)
    expect(page.locator("#still-missing")).to_be_visible()
    assert_no_serious_violations(page, "check your answers with rows missing, at 390 px")
    shot(page, "check-your-answers")
    page.goto("/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "front-page")


def test_log_in_page_and_api_docs(live_server: LiveServer, browser: Browser) -> None:
    for width in (1280, 390):
        context = browser.new_context(base_url=live_server.base_url, viewport={"width": width, "height": 900})
        page = context.new_page()
        try:
            page.goto("/login")
            assert_no_serious_violations(page, f"the log-in page at {width} px")
            assert page.evaluate("document.documentElement.scrollWidth") <= width
            shot(page, "login")
            page.goto("/api/docs")
            expect(page.locator(".opblock").first).to_be_visible()
            assert_no_serious_violations(page, f"the API docs at {width} px")
            shot(page, "api-docs")
            page.get_by_role("link", name="Tilbage til Fremdrift").click()
            expect(page).to_have_url(re.compile("/$"))
            expect(page.get_by_role("navigation", name="Hovedmenu").get_by_role("link", name="API")).to_have_count(0)
            expect(page.locator("footer").get_by_role("link", name=re.compile("API"))).to_have_count(1)
        finally:
            context.close()
