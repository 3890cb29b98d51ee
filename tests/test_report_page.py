"""The job centre's page: rows, fragments, history, and text shown as text."""

import re

from tests.factories import ALLEROED
from tests.scenarios import YEAR, Req, World

PAGE = f"/kommuner/{ALLEROED}/{YEAR}"
SCRIPT = '<script>alert("x")</script> & <b>fed</b>'
ESCAPED = "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &lt;b&gt;fed&lt;/b&gt;"


def save(world: World, key: str, colour: str, remark: str, **extra: object) -> tuple[int, str]:
    row = world.entry(key)
    form = {"colour": colour, "remark": remark, "version": row.version, **extra}
    response = world.browser(world.editor).send(Req.of_form(f"/raekker/{row.id}", form))
    return response.status_code, response.text


def test_remark_with_script_is_shown_as_text_everywhere(world: World) -> None:
    status, fragment = save(world, "hov15-v1", "yellow", SCRIPT)
    assert status == 200
    row = world.entry("hov15-v1")
    assert row.remark == SCRIPT  # kept exactly as typed: plain text, not cleaned HTML
    browser = world.browser(world.editor)
    pages = {
        "fragment": fragment,
        "page": browser.client.get(PAGE).text,
        "history": browser.client.get(f"/raekker/{row.id}/historik").text,
    }
    for name, html in pages.items():
        assert ESCAPED in html, name
        assert "<script>alert" not in html, name
        assert "<b>fed</b>" not in html, name

    api = browser.client.get(f"/api/reports/{ALLEROED}/{YEAR}").json()
    remark = next(e["remark"] for e in api["entries"] if e["recommendation_id"] == "hov15-v1")
    assert remark == SCRIPT  # a JSON string: the client decides how to show it
    history = browser.client.get(f"/api/entries/{row.id}/history").json()
    assert SCRIPT in [change["new_value"] for change in history]


def test_remark_with_script_is_text_in_the_conflict_message(world: World) -> None:
    row = world.entry("hov15-v1")
    save(world, "hov15-v1", "yellow", SCRIPT)
    stale = {"colour": "red", "remark": "</textarea><script>alert(2)</script>", "version": row.version}
    response = world.browser(world.colleague).send(Req.of_form(f"/raekker/{row.id}", stale))
    assert response.status_code == 409
    assert ESCAPED in response.text
    assert "&lt;/textarea&gt;&lt;script&gt;alert(2)" in response.text
    assert "<script>" not in response.text


def test_page_lists_rows_by_focus_area_then_skal_and_kan_with_labelled_colours(world: World) -> None:
    html = world.browser(world.editor).client.get(PAGE).text
    assert "Farvernes betydning" in html
    # Text and shape as well as colour.
    for label, shape in (("Grøn", "●"), ("Gul", "◆"), ("Rød", "■")):
        assert re.search(rf'aria-hidden="true">{shape}</span> {label}', html), label
    keys = re.findall(r'id="row-(hov15-[a-z]\d)"', html)
    assert keys[:5] == ["hov15-v1", "hov15-v2", "hov15-v3", "hov15-v4", "hov15-b1"]
    assert len(keys) == 16
    first_area = html[html.index('class="focus-area"') : html.index('id="row-hov15-b1"')]
    assert first_area.index("SKAL-initiativer") < first_area.index("row-hov15-v1")
    assert first_area.index("row-hov15-v3") < first_area.index("KAN-initiativer") < first_area.index("row-hov15-v4")
    assert "Senest ændret af Jette Jobcenterchef" in html
    assert "/historik" in html


def test_saved_row_answers_with_its_fragment_and_gemt(world: World) -> None:
    status, fragment = save(world, "hov15-v4", "green", "Vi deltager.")
    assert status == 200
    assert fragment.lstrip().startswith('<article class="status-row"')  # only the row, not a page
    assert "<html" not in fragment
    assert "✓ Gemt" in fragment
    assert "Vi deltager." in fragment
    assert 'value="green" checked' in fragment
    assert "Senest ændret af Jette Jobcenterchef" in fragment


def test_history_page_shows_who_when_old_and_new(world: World) -> None:
    save(world, "hov15-v1", "yellow", "Første tekst")
    save(world, "hov15-v1", "red", "Anden tekst")
    row = world.entry("hov15-v1")
    html = world.browser(world.coordinator).client.get(f"/raekker/{row.id}/historik").text
    body = html[html.index("<tbody>") :]
    cells = [re.sub(r"\s+", " ", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", body, re.S)]
    rows = [cells[i : i + 5] for i in range(0, len(cells), 5)]
    # Newest first: when, who, field, before, after.
    assert rows[0][1:] == ["Jette Jobcenterchef", "Farve", "Gul", "Rød"]
    assert rows[1][1:] == ["Jette Jobcenterchef", "Bemærkning", "Første tekst", "Anden tekst"]
    assert ["Jette Jobcenterchef", "Bemærkning", "Som anbefalet.", "Første tekst"] in [r[1:] for r in rows]
    assert re.fullmatch(r"\d{1,2}\. \w+\.? \d{4} kl\. \d{2}:\d{2}", rows[0][0]), rows[0][0]  # Danish date and time
    api = world.browser(world.editor).client.get(f"/api/entries/{row.id}/history").json()
    assert api[0]["field"] in ("colour", "remark") and api[0]["version"] == row.version
    assert {
        (c["field"], c["old_value"], c["new_value"], c["changed_by"]) for c in api if c["version"] == row.version
    } == {
        ("colour", "yellow", "red", "Jette Jobcenterchef"),
        ("remark", "Første tekst", "Anden tekst", "Jette Jobcenterchef"),
    }


def test_no_page_has_inline_script(world: World) -> None:
    browser = world.browser(world.editor)
    row = world.entry("hov15-v1")
    for url in ("/", "/login", "/katalog", PAGE, f"/raekker/{row.id}/historik", "/api/docs", "/findes-ikke"):
        html = browser.client.get(url, follow_redirects=False).text
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in tag, f"{url}: {tag}"
        assert not re.search(r"\son[a-z]+=", html), f"{url} has an inline event handler"
        assert "javascript:" not in html, url
