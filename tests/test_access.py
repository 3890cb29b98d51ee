"""Who may read and change which municipality's report, whatever URL or form they send."""

from urllib.parse import quote

import pytest
from fastapi import FastAPI

from app.domain.vocabulary import Role
from app.models import User
from tests.factories import ALLEROED
from tests.route_cases import ACCOUNT_ADMIN_CASES, CASES, EVERY_ROLE, NO_MUNICIPALITY, AdminCase, Case, case_id
from tests.scenarios import (
    FREDERIKSBERG,
    YEAR,
    Req,
    World,
    changed_tables,
    open_browser,
    row_save,
    snapshot,
    unsafe_routes,
)

ALLEROED_PAGE = f"/kommuner/{ALLEROED}/{YEAR}"
FREDERIKSBERG_PAGE = f"/kommuner/{FREDERIKSBERG}/{YEAR}"


def test_every_state_changing_route_has_a_case(app: FastAPI) -> None:
    routes = unsafe_routes(app)
    assert ("PUT", "/api/entries/{entry_id}") in routes  # the walk does see the included routers
    covered = {(case.method, case.path) for case in CASES} | {(case.method, case.path) for case in ACCOUNT_ADMIN_CASES}
    uncovered = routes - NO_MUNICIPALITY - covered
    assert not uncovered, f"state-changing routes with no access test case in tests/route_cases.py: {uncovered}"


def _refused_for(world: World, case: Case | AdminCase, users: list[User]) -> None:
    for user in users:
        browser, request = world.browser(user), case.request(world)
        before = snapshot(world.db)
        response = browser.send(request)
        assert response.status_code in (403, 404), (
            f"{case.name} by {user.email}: {response.status_code} {response.text[:300]}"
        )
        assert changed_tables(before, snapshot(world.db)) == [], f"{case.name} by {user.email} changed something"


def test_editor_of_another_municipality_gets_403_or_404_and_changes_nothing(world: World) -> None:
    # Every state-changing route and endpoint (see route_cases.CASES), aimed at Allerød,
    # København and Frederiksberg by the editor of Albertslund.
    for case in CASES:
        _refused_for(world, case, [world.other_editor])


def test_readers_and_coordinators_outside_their_role_change_nothing(world: World) -> None:
    for case in CASES:
        users = [world.reader, world.far_coordinator]
        # The KKR's own coordinator is refused too, except where the case says a coordinator acts.
        if case.owner is None or case.owner(world).role is not Role.COORDINATOR:
            users.append(world.coordinator)
        _refused_for(world, case, users)


@pytest.mark.parametrize("case", [case for case in CASES if case.owner], ids=case_id)
def test_the_same_request_from_the_municipality_itself_goes_through(world: World, case: Case) -> None:
    # Proves the refused requests above were real ones that would have changed something.
    assert case.owner is not None
    browser, request = world.browser(case.owner(world)), case.request(world)
    before = snapshot(world.db)
    response = browser.send(request)
    assert response.status_code == case.owner_status, response.text[:500]
    assert changed_tables(before, snapshot(world.db)) != []


# ---------------------------------------------------------------------------- account administration


def test_account_administration_refuses_everyone_outside_their_reach_and_changes_nothing(world: World) -> None:
    # A coordinator never manages an admin, a coordinator or another KKR's user, whatever form
    # they post; editors and readers manage nobody.
    for case in ACCOUNT_ADMIN_CASES:
        _refused_for(world, case, [getattr(world, name) for name in EVERY_ROLE if name not in case.allowed])


@pytest.mark.parametrize(
    ("case", "who"),
    [(case, who) for case in ACCOUNT_ADMIN_CASES for who in case.allowed],
    ids=lambda value: value if isinstance(value, str) else value.name,
)
def test_the_same_account_request_from_someone_who_may_goes_through(world: World, case: AdminCase, who: str) -> None:
    browser, request = world.browser(getattr(world, who)), case.request(world)
    before = snapshot(world.db)
    response = browser.send(request, csrf="field", htmx=False)
    assert response.status_code == case.allowed_status, response.text[:2000]
    assert "audit_event" in changed_tables(before, snapshot(world.db))


# ---------------------------------------------------------------------------- reads


def test_editor_cannot_read_another_municipalitys_unsubmitted_report(world: World) -> None:
    browser = world.browser(world.other_editor)
    row = world.entry("hov15-v1")

    page = browser.client.get(ALLEROED_PAGE)
    assert page.status_code == 404
    assert "findes ikke" in page.text
    assert "Som anbefalet." not in page.text

    history = browser.client.get(f"/raekker/{row.id}/historik")
    assert history.status_code == 404
    assert "Som anbefalet." not in history.text

    api = browser.client.get(f"/api/reports/{ALLEROED}/{YEAR}")
    assert api.status_code == 404
    assert "Som anbefalet." not in api.text
    assert browser.client.get(f"/api/entries/{row.id}/history").status_code == 404

    # The row fragment comes back only from a save, and that is refused the same way.
    before = snapshot(world.db)
    fragment = browser.send(row_save(row.id, row.version, colour="green", remark="x"))
    assert fragment.status_code == 404
    assert "Som anbefalet." not in fragment.text
    assert changed_tables(before, snapshot(world.db)) == []

    home = browser.client.get("/")
    assert ALLEROED_PAGE not in home.text


def test_editor_can_read_a_submitted_report_of_another_municipality(world: World) -> None:
    browser = world.browser(world.other_editor)
    row = world.entry("hov15-v1", world.submitted)

    page = browser.client.get(FREDERIKSBERG_PAGE)
    assert page.status_code == 200
    assert "Indsendt" in page.text
    assert "Som anbefalet." in page.text
    assert 'hx-post="/raekker/' not in page.text  # read, not edit

    assert browser.client.get(f"/raekker/{row.id}/historik").status_code == 200
    api = browser.client.get(f"/api/reports/{FREDERIKSBERG}/{YEAR}")
    assert api.status_code == 200
    assert api.json()["state"] == "submitted"
    assert api.json()["editable"] is False
    assert browser.client.get(f"/api/entries/{row.id}/history").status_code == 200
    assert FREDERIKSBERG_PAGE in browser.client.get("/").text


def test_reader_sees_only_submitted_reports(world: World) -> None:
    browser = world.browser(world.reader)
    own_row = world.entry("hov15-v1")
    submitted_row = world.entry("hov15-v1", world.submitted)

    assert browser.client.get(ALLEROED_PAGE).status_code == 404
    assert browser.client.get(f"/api/reports/{ALLEROED}/{YEAR}").status_code == 404
    assert browser.client.get(f"/raekker/{own_row.id}/historik").status_code == 404
    assert browser.client.get(f"/api/entries/{own_row.id}/history").status_code == 404
    assert browser.client.get(f"/kommuner/101/{YEAR}").status_code == 404  # not started

    assert browser.client.get(FREDERIKSBERG_PAGE).status_code == 200
    assert browser.client.get(f"/api/reports/{FREDERIKSBERG}/{YEAR}").status_code == 200
    assert browser.client.get(f"/raekker/{submitted_row.id}/historik").status_code == 200

    home = browser.client.get("/").text
    assert FREDERIKSBERG_PAGE in home
    assert ALLEROED_PAGE not in home


def test_coordinator_sees_only_their_kkr(world: World) -> None:
    own = world.browser(world.coordinator)
    page = own.client.get(ALLEROED_PAGE)
    assert page.status_code == 200
    assert "Som anbefalet." in page.text
    assert 'hx-post="/raekker/' not in page.text  # coordinators read, the municipality writes
    assert own.client.get(f"/api/reports/{ALLEROED}/{YEAR}").status_code == 200
    assert own.client.get(f"/raekker/{world.entry('hov15-v1').id}/historik").status_code == 200
    assert ALLEROED_PAGE in own.client.get("/").text

    far = world.browser(world.far_coordinator)
    for url in (ALLEROED_PAGE, FREDERIKSBERG_PAGE, f"/api/reports/{FREDERIKSBERG}/{YEAR}"):
        response = far.client.get(url)
        assert response.status_code == 404, url
        assert "Som anbefalet." not in response.text
    submitted_row = world.entry("hov15-v1", world.submitted)
    assert far.client.get(f"/raekker/{submitted_row.id}/historik").status_code == 404
    assert far.client.get(f"/api/entries/{submitted_row.id}/history").status_code == 404
    home = far.client.get("/").text
    assert "/kommuner/" not in home


def test_unauthenticated_page_requests_redirect_to_login(world: World) -> None:
    anonymous = open_browser(world.app, world.db)
    row = world.entry("hov15-v1")
    for url in (ALLEROED_PAGE, FREDERIKSBERG_PAGE, f"/raekker/{row.id}/historik"):
        response = anonymous.client.get(url, follow_redirects=False)
        assert response.status_code == 303, url
        assert response.headers["location"] == f"/login?next={quote(url)}"
    # An HTMX request cannot follow a redirect into a row: it gets 401 and the page says so.
    response = anonymous.client.get(ALLEROED_PAGE, headers={"HX-Request": "true"}, follow_redirects=False)
    assert response.status_code == 401
    # A save with a valid pre-login token still needs a user.
    before = snapshot(world.db)
    saved = anonymous.send(row_save(row.id, row.version, colour="green", remark="x"))
    assert saved.status_code == 401
    assert changed_tables(before, snapshot(world.db)) == []


def test_unauthenticated_api_gets_401(world: World) -> None:
    anonymous = open_browser(world.app, world.db)
    row = world.entry("hov15-v1")
    for url in (f"/api/reports/{FREDERIKSBERG}/{YEAR}", f"/api/entries/{row.id}/history", "/api/me"):
        response = anonymous.client.get(url)
        assert response.status_code == 401, url
        assert response.json()["detail"] == "Log ind først."
    before = snapshot(world.db)
    body = {"colour": "red", "remark": "anonym", "opted_out": False, "version": row.version}
    response = anonymous.send(Req.of_json("PUT", f"/api/entries/{row.id}", body))
    assert response.status_code == 401
    assert changed_tables(before, snapshot(world.db)) == []
