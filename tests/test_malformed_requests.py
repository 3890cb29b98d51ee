"""A malformed request gets a clear 4xx and changes nothing."""

import json

from tests.factories import ALLEROED
from tests.scenarios import YEAR, Browser, Req, World, changed_tables, snapshot

HUGE = "x" * (3 * 1024 * 1024)


def refused(world: World, browser: Browser, request: Req, **send: object) -> tuple[int, str]:
    before = snapshot(world.db)
    response = browser.send(request, **send)  # type: ignore[arg-type]
    assert 400 <= response.status_code < 500, f"{request.url}: {response.status_code} {response.text[:300]}"
    assert changed_tables(before, snapshot(world.db)) == [], f"{request.url} changed something"
    return response.status_code, response.text


def test_malformed_row_saves_from_the_page_get_a_clear_4xx(world: World) -> None:
    browser = world.browser(world.editor)
    row = world.entry("hov15-v1")
    url = f"/raekker/{row.id}"

    status, text = refused(world, browser, Req.of_form(url, {"colour": "green", "remark": "x", "version": "abc"}))
    assert status == 422 and "Ugyldig anmodning" in text and "version" in text
    status, text = refused(world, browser, Req.of_form(url, {"colour": "green", "remark": "x"}))
    assert status == 422 and "version" in text

    status, text = refused(
        world, browser, Req.of_form(url, {"colour": "purple", "remark": "Min tekst", "version": row.version})
    )
    assert status == 422
    fieldset = text[text.index('<fieldset class="colours has-error"') : text.index("</fieldset>")]
    assert "Vælg grøn, gul eller rød." in fieldset  # next to the colours
    assert ">Min tekst</textarea>" in text  # and the typing kept

    status, text = refused(
        world, browser, Req.of_form(url, {"colour": "green", "remark": HUGE, "version": row.version})
    )
    assert status in (413, 422)
    assert len(text) < 100_000  # the answer does not echo megabytes back

    # Without the CSRF header the middleware reads the form for the token; a huge one is refused too.
    huge_form = Req.of_form(
        url, {"colour": "green", "remark": HUGE, "version": row.version, "csrf_token": browser.token}
    )
    refused(world, browser, huge_form, csrf=None)

    assert refused(world, browser, Req.of_form("/raekker/abc", {"version": 1}))[0] in (404, 422)
    assert refused(world, browser, Req.of_form("/raekker/999999", {"version": 1}))[0] == 404


def test_malformed_committee_form_gets_a_clear_4xx(world: World) -> None:
    browser = world.browser(world.editor)
    form = {"committee_name": "Udvalget", "committee_date": "2026-13-45", "version": world.fresh_report().version}
    status, text = refused(world, browser, Req.of_form(f"/rapporter/{world.report.id}/behandling", form))
    assert status == 422 and "committee_date" in text


WRONG_TYPES: list[tuple[dict[str, object], str | None]] = [
    ({"version": "abc"}, "version"),
    ({"version": None}, "version"),
    ({"version": 1.5}, "version"),
    ({"colour": 5}, "colour"),
    ({"colour": "purple"}, "colour"),
    ({"remark": ["a", "b"]}, "remark"),
    ({"remark": {"html": "<b>"}}, "remark"),
    ({"opted_out": "kanske"}, "opted_out"),
    ({"remark": HUGE}, None),
]


def test_api_save_with_wrong_types_gets_a_clear_4xx(world: World) -> None:
    browser = world.browser(world.editor)
    row = world.entry("hov15-v1")
    for change, field in WRONG_TYPES:
        body = {"colour": "green", "remark": "ok", "opted_out": False, "version": row.version, **change}
        _status, text = refused(world, browser, Req.of_json("PUT", f"/api/entries/{row.id}", body))
        answer = json.loads(text)
        assert isinstance(answer["detail"], str) and answer["detail"], list(change)
        if field is not None:
            named = {p["field"] for p in answer.get("problems", [])} | {answer.get("field")}
            assert field in named, answer


def test_api_requests_that_are_not_json_objects_get_a_clear_4xx(world: World) -> None:
    browser = world.browser(world.editor)
    row = world.entry("hov15-v1")
    for content in ("{not json", "[1, 2, 3]", '"tekst"', ""):
        before = snapshot(world.db)
        response = browser.client.put(
            f"/api/entries/{row.id}",
            content=content,
            headers={"X-CSRF-Token": browser.token, "Content-Type": "application/json"},
        )
        assert response.status_code == 422, content
        assert response.json()["detail"]
        assert changed_tables(before, snapshot(world.db)) == []
    bad_date = {"committee_name": "Udvalget", "committee_date": "15/1/2026", "version": 1}
    status, _ = refused(world, browser, Req.of_json("PUT", f"/api/reports/{ALLEROED}/{YEAR}/committee", bad_date))
    assert status == 422
    assert (
        refused(world, browser, Req.of_json("POST", f"/api/reports/{ALLEROED}/{YEAR}/start", {"carry_over": "måske"}))[
            0
        ]
        == 422
    )
    assert refused(world, browser, Req.of_json("GET", "/api/reports/abc/2025", {}))[0] == 422
