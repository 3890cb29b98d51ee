"""Every state-changing request must carry the CSRF token of its own session."""

from fastapi import FastAPI

from tests.factories import ALLEROED, login
from tests.route_cases import ACCOUNT_CASES, CASES, Case
from tests.scenarios import (
    FORM_FIELD,
    YEAR,
    Browser,
    Req,
    World,
    changed_tables,
    open_browser,
    row_save,
    snapshot,
    unsafe_routes,
)

ALL_CASES = CASES + ACCOUNT_CASES


def test_every_state_changing_route_has_a_csrf_case(app: FastAPI) -> None:
    uncovered = unsafe_routes(app) - {(case.method, case.path) for case in ALL_CASES}
    assert not uncovered, f"state-changing routes with no CSRF test case in tests/route_cases.py: {uncovered}"


def _sender(world: World, case: Case) -> Browser:
    """Who would rightly send the request: only the token is wrong."""
    if case.path == "/login":
        return open_browser(world.app, world.db)
    if case.owner is not None:
        return world.browser(case.owner(world))
    return world.browser(world.frederiksberg_editor)  # a row of their own, submitted report


def _assert_refused(world: World, case: Case, browser: Browser, how: str, **send: object) -> None:
    request = case.request(world)
    before = snapshot(world.db)
    response = browser.send(request, **send)  # type: ignore[arg-type]
    assert response.status_code == 403, f"{case.name} {how}: {response.status_code} {response.text[:300]}"
    assert "CSRF" in response.text, f"{case.name} {how}: {response.text[:300]}"
    assert changed_tables(before, snapshot(world.db)) == [], f"{case.name} {how} changed something"


def test_request_without_csrf_token_is_refused_and_changes_nothing(world: World) -> None:
    for case in ALL_CASES:
        browser = _sender(world, case)
        _assert_refused(world, case, browser, "with no token", csrf=None)
        if case.path.startswith("/api"):
            continue
        _assert_refused(world, case, browser, "as a plain form with no token", csrf=None, htmx=False)
        _assert_refused(world, case, browser, "with an empty token", csrf=None, headers={"X-CSRF-Token": ""})


def test_token_from_another_session_is_refused(world: World) -> None:
    strangers_token = world.browser(world.other_editor).token
    for case in ALL_CASES:
        browser = _sender(world, case)
        # The same user logged in a second time has a session, and a token, of its own.
        second_token = open_browser(world.app, world.db, browser.user).token if browser.user else None
        assert second_token != browser.token
        _assert_refused(world, case, browser, "with another user's token", csrf=strangers_token)
        if second_token:
            _assert_refused(world, case, browser, "with the token of the user's other session", csrf=second_token)
        _assert_refused(world, case, browser, "with a made-up token", csrf="0" * 64)
        if case.path.startswith("/api"):
            continue
        form = case.request(world).form or {}
        forged = Req.of_form(case.request(world).url, {**form, "csrf_token": strangers_token})
        before = snapshot(world.db)
        response = browser.send(forged, csrf=None, htmx=False)
        assert response.status_code == 403, f"{case.name} with another user's token in the form"
        assert changed_tables(before, snapshot(world.db)) == []


def test_token_from_before_log_in_is_refused_after_log_in(world: World) -> None:
    browser = open_browser(world.app, world.db)
    token_before = browser.token
    token_after = login(browser.client, world.editor)
    assert token_after != token_before
    row = world.entry("hov15-v1")
    request = row_save(row.id, row.version, colour="red", remark="Fikseret")
    before = snapshot(world.db)
    assert browser.send(request, csrf=token_before).status_code == 403
    assert changed_tables(before, snapshot(world.db)) == []
    assert browser.send(request, csrf=token_after).status_code == 200


def test_api_refusal_is_json(world: World) -> None:
    row = world.entry("hov15-v1")
    body = {"colour": "red", "remark": "", "opted_out": False, "version": row.version}
    response = world.browser(world.editor).send(Req.of_json("PUT", f"/api/entries/{row.id}", body), csrf=None)
    assert response.status_code == 403
    assert response.json()["code"] == "csrf"
    assert "sikkerhedsnøglen" in response.json()["detail"]


def test_token_in_the_form_field_is_accepted_for_plain_forms(world: World) -> None:
    browser = world.browser(world.coordinator)
    request = Req.of_form(f"/rapporter/{world.submitted.id}/genaabn", {"reason": "Ret V1"})
    response = browser.send(request, csrf=FORM_FIELD, htmx=False)
    assert response.status_code == 303
    assert world.fresh_report(world.submitted).state == "in_progress"


def test_logout_without_token_keeps_the_session(world: World) -> None:
    browser = world.browser(world.editor)
    assert browser.send(Req.of_form("/logout"), csrf=None).status_code == 403
    assert browser.client.get(f"/kommuner/{ALLEROED}/{YEAR}").status_code == 200
