"""The user administration as admins and coordinators see it: the list, search, the form's
refusals, the scoping of coordinators, the audit log, the own account page, and the CLI."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from httpx2 import Response
from sqlmodel import col, select
from typer.testing import CliRunner

from app import deps
from app.cli import app as cli
from app.config import get_settings
from app.db import Database
from app.domain.access import AccountScope, Actor, may_manage_account, may_read_audit
from app.domain.accounts.links import LinkPolicy
from app.domain.vocabulary import AuditAction, Role
from app.models import AuditEvent, OutboxMail, User, UserSession
from tests.factories import AARHUS, ALLEROED, PASSWORD
from tests.scenarios import Browser, Req, World, changed_tables, open_browser, snapshot

NEW = {"email": "ny@alleroed.example", "name": "Nina Ny", "role": "editor", "municipality": str(ALLEROED)}


def post(browser: Browser, url: str, form: dict[str, str] | None = None) -> Response:
    return browser.send(Req.of_form(url, form or {}), csrf="field", htmx=False)


def events(db: Database) -> list[AuditEvent]:
    with db.read() as session:
        return list(session.exec(select(AuditEvent).order_by(col(AuditEvent.id))))


# ---------------------------------------------------------------------------- the rule


def test_the_account_rule_in_one_function() -> None:
    admin = Actor(1, Role.ADMIN)
    coordinator = Actor(2, Role.COORDINATOR, kkr_id=1)
    editor = Actor(3, Role.EDITOR, municipality_code=ALLEROED)
    assert may_manage_account(admin, AccountScope(Role.ADMIN, None))
    assert may_manage_account(coordinator, AccountScope(Role.EDITOR, 1))
    assert may_manage_account(coordinator, AccountScope(Role.READER, 1))
    assert not may_manage_account(coordinator, AccountScope(Role.EDITOR, 2))
    assert not may_manage_account(coordinator, AccountScope(Role.READER, None))
    assert not may_manage_account(coordinator, AccountScope(Role.COORDINATOR, 1))
    assert not may_manage_account(coordinator, AccountScope(Role.ADMIN, None))
    assert not may_manage_account(editor, AccountScope(Role.EDITOR, 1))
    assert not may_manage_account(Actor(4, Role.COORDINATOR), AccountScope(Role.EDITOR, None))
    assert may_read_audit(admin, None) and may_read_audit(coordinator, 1)
    assert not may_read_audit(coordinator, 2) and not may_read_audit(coordinator, None)
    assert not may_read_audit(editor, 1)


# ---------------------------------------------------------------------------- the list


def test_coordinator_lists_only_the_editors_and_readers_of_their_kkr(world: World) -> None:
    page = world.browser(world.coordinator).client.get("/brugere")
    assert page.status_code == 200
    for user in (world.editor, world.colleague, world.other_editor, world.frederiksberg_editor):
        assert user.email in page.text
    for user in (world.admin, world.coordinator, world.far_coordinator, world.reader):
        assert user.email not in page.text  # the reader belongs to no KKR: the admin's
    assert "Redaktør i kommunen" in page.text and "Allerød" in page.text
    assert "Aktiv" in page.text

    everything = world.browser(world.admin).client.get("/brugere").text
    for user in (world.admin, world.coordinator, world.far_coordinator, world.reader, world.editor):
        assert user.email in everything


def test_search_finds_by_name_email_and_municipality(world: World) -> None:
    coordinator = world.browser(world.coordinator)
    by_name = coordinator.client.get("/brugere", params={"q": "kollega"}).text
    assert world.colleague.email in by_name and world.other_editor.email not in by_name
    by_place = coordinator.client.get("/brugere", params={"q": "albertslund"}).text
    assert world.other_editor.email in by_place and world.editor.email not in by_place
    nothing = coordinator.client.get("/brugere", params={"q": "x" * 500})
    assert nothing.status_code == 200
    assert "Ingen brugere passer til søgningen." in nothing.text


def test_editors_and_readers_have_no_user_administration(world: World) -> None:
    for user in (world.editor, world.reader):
        browser = world.browser(user)
        assert "/brugere" not in browser.client.get("/").text
        for url in ("/brugere", "/brugere/ny", "/brugere/log", f"/brugere/{world.colleague.id}"):
            assert browser.client.get(url).status_code == 403, (user.email, url)
    assert 'href="/brugere"' in world.browser(world.coordinator).client.get("/").text


def test_coordinator_cannot_open_an_account_outside_their_kkr(world: World) -> None:
    coordinator = world.browser(world.coordinator)
    for user in (world.admin, world.far_coordinator, world.reader, world.coordinator):
        page = coordinator.client.get(f"/brugere/{user.id}")
        assert page.status_code == 404, user.email
        assert user.email not in page.text
    assert coordinator.client.get("/brugere/99999").status_code == 404


def test_the_form_offers_a_coordinator_only_their_roles_and_municipalities(world: World) -> None:
    form = world.browser(world.coordinator).client.get("/brugere/ny").text
    assert '<option value="editor"' in form and '<option value="reader"' in form
    assert '<option value="admin"' not in form and '<option value="coordinator"' not in form
    assert ">Allerød</option>" in form and ">Aarhus</option>" not in form
    assert "KKR Midtjylland" not in form


# ---------------------------------------------------------------------------- refusals


def _refused(world: World, browser: Browser, url: str, form: dict[str, str], status: int, message: str) -> None:
    before = snapshot(world.db)
    response = post(browser, url, form)
    assert response.status_code == status, response.text[:2000]
    assert message in response.text, response.text[:4000]
    assert changed_tables(before, snapshot(world.db)) == []


def test_bad_invitations_get_a_message_next_to_the_field_and_change_nothing(world: World) -> None:
    coordinator = world.browser(world.coordinator)
    cases = [
        (
            {"email": world.editor.email.upper()},
            422,
            f"Der findes allerede en bruger med e-mailen {world.editor.email}.",
        ),
        ({"email": "ikke en adresse"}, 422, "er ikke en gyldig e-mailadresse."),
        ({"name": "N" * 201}, 422, "Navnet må højst være 200 tegn; den er 201."),
        ({"name": "N" * 5000}, 422, "Navnet må højst være 200 tegn; den er 5.000."),
        ({"email": "a" * 2000 + "@alleroed.example"}, 422, "er ikke en gyldig e-mailadresse."),
        ({"role": "superuser"}, 422, "&#39;superuser&#39; er ikke en rolle."),
        ({"municipality": "999"}, 422, "En redaktør skal knyttes til en kendt kommune"),
        ({"municipality": "abc"}, 422, "Vælg en kommune på listen."),
        ({"role": "admin", "municipality": ""}, 403, "Som KKR-koordinator kan du kun give redaktører og læsere adgang"),
        ({"municipality": str(AARHUS)}, 403, "Som KKR-koordinator kan du kun give redaktører og læsere adgang"),
        ({"role": "reader", "municipality": "", "kkr": "KKR Midtjylland"}, 403, "læsere adgang i din egen KKR"),
    ]
    for changes, status, message in cases:
        _refused(world, coordinator, "/brugere", NEW | changes, status, message)
    page = post(coordinator, "/brugere", NEW | {"name": "N" * 201})
    assert 'id="name-error"' in page.text and 'aria-invalid="true"' in page.text
    assert 'value="ny@alleroed.example"' in page.text  # the typing is kept


def test_nobody_deactivates_or_demotes_themselves(world: World) -> None:
    admin = world.browser(world.admin)
    _refused(world, admin, f"/brugere/{world.admin.id}/deaktiver", {}, 403, "Du kan ikke deaktivere din egen konto.")
    form = {"email": world.admin.email, "name": world.admin.name, "role": "reader", "kkr": "", "municipality": ""}
    _refused(world, admin, f"/brugere/{world.admin.id}", form, 403, "Du kan ikke ændre din egen rolle eller adgang.")


def test_deactivating_twice_or_reactivating_an_active_user_says_so(world: World) -> None:
    coordinator = world.browser(world.coordinator)
    _refused(world, coordinator, f"/brugere/{world.editor.id}/genaktiver", {}, 409, "Brugeren er allerede aktiv.")
    assert post(coordinator, f"/brugere/{world.editor.id}/deaktiver").status_code == 303
    _refused(world, coordinator, f"/brugere/{world.editor.id}/deaktiver", {}, 409, "Brugeren er allerede deaktiveret.")
    _refused(world, coordinator, f"/brugere/{world.editor.id}/inviter", {}, 409, "er deaktiveret")


def test_mass_invitations_are_throttled_per_sender(world: World) -> None:
    policy = LinkPolicy(timedelta(hours=72), timedelta(hours=1), invitations_per_actor=3)
    world.app.dependency_overrides[deps.link_policy] = lambda: policy
    try:
        coordinator = world.browser(world.coordinator)
        for number in range(3):
            assert post(coordinator, "/brugere", NEW | {"email": f"ny{number}@alleroed.example"}).status_code == 303
        _refused(
            world,
            coordinator,
            "/brugere",
            NEW | {"email": "ny9@alleroed.example"},
            429,
            "Du har sendt 3 invitationer inden for den seneste time.",
        )
    finally:
        world.app.dependency_overrides.clear()


# ---------------------------------------------------------------------------- changes and the log


def test_coordinator_changes_an_editor_and_the_audit_log_says_who_what_when_and_from_where(world: World) -> None:
    coordinator = world.browser(world.coordinator)
    form = {"email": world.colleague.email, "name": "Karla Kollega", "role": "reader", "kkr": "KKR Hovedstaden"}
    response = post(coordinator, f"/brugere/{world.colleague.id}", form | {"municipality": ""})
    assert response.status_code == 303
    page = coordinator.client.get(response.headers["location"]).text
    assert "Ændringerne er gemt." in page
    [event] = [e for e in events(world.db) if e.action is AuditAction.CHANGED]
    assert event.actor_id == world.coordinator.id and event.subject_id == world.colleague.id
    assert event.client_ip == "testclient"
    assert event.detail == (
        "navn: Karl Kollega → Karla Kollega; rolle: Redaktør i kommunen → Læser; adgang: Allerød → KKR Hovedstaden"
    )
    assert abs(event.at - datetime.now(UTC)) < timedelta(minutes=1)

    log = coordinator.client.get("/brugere/log").text
    assert "Rolle eller adgang ændret" in log and "Kirsten Koordinator" in log and "testclient" in log
    # The same, unchanged, writes nothing.
    before = snapshot(world.db)
    assert post(coordinator, f"/brugere/{world.colleague.id}", form | {"municipality": ""}).status_code == 303
    assert changed_tables(before, snapshot(world.db)) == []


def test_coordinators_read_only_their_own_kkrs_audit_log(world: World) -> None:
    assert post(world.browser(world.coordinator), f"/brugere/{world.colleague.id}/deaktiver").status_code == 303
    anonymous = open_browser(world.app, world.db)
    anonymous.send(Req.of_form("/glemt-adgangskode", {"email": "ingen@example.dk"}), csrf="field")
    own = world.browser(world.coordinator).client.get("/brugere/log").text
    far = world.browser(world.far_coordinator).client.get("/brugere/log").text
    admin = world.browser(world.admin).client.get("/brugere/log").text
    assert "Karl Kollega" in own and "Deaktiveret" in own and "ingen@example.dk" not in own
    assert "Karl Kollega" not in far and "Ingen hændelser endnu." in far
    assert "Karl Kollega" in admin and "ingen@example.dk" in admin and "Ikke logget ind" in admin


# ---------------------------------------------------------------------------- own account


def test_own_account_page_changes_the_password_with_the_old_one_and_ends_other_sessions(world: World) -> None:
    here, elsewhere = world.browser(world.editor), open_browser(world.app, world.db, world.editor)
    page = here.client.get("/konto").text
    assert world.editor.email in page and "Redaktør i kommunen · Allerød" in page
    assert page.count("<tr><td>") == 2 and "Denne browser" in page

    wrong = {"old_password": "forkert-gammelt", "password": "en ny lang sætning her", "password_again": ""}
    _refused(world, here, "/konto/adgangskode", wrong, 422, "Den nuværende adgangskode er forkert.")
    same = {"old_password": PASSWORD, "password": PASSWORD, "password_again": PASSWORD}
    _refused(world, here, "/konto/adgangskode", same, 422, "Den nye adgangskode skal være en anden end den nuværende.")
    weak = {"old_password": PASSWORD, "password": "1q2w3e4r5t6y", "password_again": "1q2w3e4r5t6y"}
    _refused(world, here, "/konto/adgangskode", weak, 422, "listen over almindelige adgangskoder")

    good = {"old_password": PASSWORD, "password": "en ny lang sætning her", "password_again": "en ny lang sætning her"}
    response = post(here, "/konto/adgangskode", good)
    assert response.status_code == 200
    assert "Adgangskoden er ændret. 1 andre sessioner er logget ud." in response.text
    assert here.client.get("/konto").status_code == 200
    assert elsewhere.client.get("/konto", follow_redirects=False).status_code == 303


def test_log_out_everywhere_ends_every_session(world: World) -> None:
    here, elsewhere = world.browser(world.editor), open_browser(world.app, world.db, world.editor)
    response = post(here, "/konto/log-ud-overalt")
    assert response.status_code == 303 and response.headers["location"] == "/login"
    for browser in (here, elsewhere):
        assert browser.client.get("/konto", follow_redirects=False).status_code == 303
    with world.db.read() as session:
        assert session.exec(select(UserSession).where(UserSession.user_id == world.editor.id)).all() == []
    assert events(world.db)[-1].action is AuditAction.SIGNED_OUT_EVERYWHERE


def test_last_log_in_is_shown(world: World) -> None:
    browser = open_browser(world.app, world.db)
    form = {"email": world.reader.email, "password": PASSWORD}
    assert browser.send(Req.of_form("/login", form), csrf="field", htmx=False).status_code == 303
    page = world.browser(world.admin).client.get("/brugere").text
    assert "Aldrig" in page  # someone who never logged in
    with world.db.read() as session:
        reader = session.get(User, world.reader.id)
    assert reader is not None and reader.last_login_at is not None


# ---------------------------------------------------------------------------- the CLI


@pytest.fixture
def cli_database(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("DATABASE_URL", database_url)
    get_settings.cache_clear()
    yield database_url
    get_settings.cache_clear()


def run_cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def test_cli_invites_lists_and_deactivates(cli_database: str, db: Database) -> None:
    code, output = run_cli("users", "invite", "Jette@Allerod.example", "--role", "editor", "--municipality", "201")
    assert code == 0, output
    assert "Inviteret: jette@allerod.example (Redaktør i kommunen). Mailen ligger i udbakken." in output
    code, output = run_cli("users", "invite", "jette@allerod.example", "--role", "editor", "--municipality", "201")
    assert code == 0 and "Invitationen er sendt igen til jette@allerod.example." in output
    with db.read() as session:
        mails = session.exec(select(OutboxMail)).all()
    assert [mail.to_address for mail in mails] == ["jette@allerod.example"] * 2
    assert "/adgangskode/" in mails[-1].text_body

    code, output = run_cli(
        "users", "add", "kirsten@kkr.example", "--role", "coordinator", "--kkr", "KKR Hovedstaden",
        "--name", "Kirsten", "--password", "langt-kodeord-med-mening",
    )  # fmt: skip
    assert code == 0, output
    code, output = run_cli("users", "list")
    assert code == 0
    assert "jette@allerod.example" in output and "Allerød" in output and "Inviteret" in output
    assert "kirsten@kkr.example" in output and "KKR Hovedstaden" in output and "aldrig" in output
    assert "2 brugere." in output
    assert run_cli("users", "list", "--search", "kirsten")[1].count("@") == 1

    code, output = run_cli("users", "deactivate", "KIRSTEN@kkr.example")
    assert code == 0 and "Deaktiveret: kirsten@kkr.example." in output
    assert "Deaktiveret" in run_cli("users", "list")[1]
    code, output = run_cli("users", "deactivate", "kirsten@kkr.example")
    assert code == 1 and "Brugeren er allerede deaktiveret." in output
    code, output = run_cli("users", "deactivate", "ingen@example.dk")
    assert code == 1 and "Der findes ingen bruger med e-mailen ingen@example.dk." in output

    actions = [(event.action, event.client_ip) for event in events(db)]
    assert actions == [
        (AuditAction.CREATED, "kommandolinje"),
        (AuditAction.INVITED, "kommandolinje"),
        (AuditAction.INVITED, "kommandolinje"),
        (AuditAction.CREATED, "kommandolinje"),
        (AuditAction.DEACTIVATED, "kommandolinje"),
    ]


def test_cli_invite_refuses_an_address_in_use(cli_database: str, db: Database) -> None:
    assert (
        run_cli("users", "add", "ny@example.dk", "--role", "reader", "--password", "langt-kodeord-med-mening")[0] == 0
    )
    before = snapshot(db)
    code, output = run_cli("users", "invite", "ny@example.dk", "--role", "reader")
    assert code == 1 and "Der findes allerede en bruger med e-mailen ny@example.dk." in output
    assert changed_tables(before, snapshot(db)) == []


def test_one_person_gets_at_most_three_invitations_an_hour(world: World) -> None:
    coordinator = world.browser(world.coordinator)
    location = post(coordinator, "/brugere", NEW).headers["location"].split("?")[0]
    for _ in range(2):
        assert post(coordinator, f"{location}/inviter").status_code == 303
    _refused(world, coordinator, f"{location}/inviter", {}, 429, "ny@alleroed.example har fået 3 invitationer")


def test_changing_an_address_is_logged_and_the_new_one_must_be_free(world: World) -> None:
    admin = world.browser(world.admin)
    form = {"name": world.reader.name, "role": "reader", "kkr": "", "municipality": ""}
    taken = form | {"email": world.editor.email}
    _refused(world, admin, f"/brugere/{world.reader.id}", taken, 422, "Der findes allerede en bruger med e-mailen")
    assert post(admin, f"/brugere/{world.reader.id}", form | {"email": "Lise@Ny.example"}).status_code == 303
    changed = [e for e in events(world.db) if e.action is AuditAction.CHANGED]
    assert changed[-1].detail == f"e-mail: {world.reader.email} → lise@ny.example"
    assert changed[-1].kkr_id is None  # a reader of no KKR: in the admin's log only


def test_own_password_change_needs_the_new_one_twice(world: World) -> None:
    here = world.browser(world.editor)
    typo = {"old_password": PASSWORD, "password": "en ny lang sætning her", "password_again": "en ny lang sætning"}
    _refused(world, here, "/konto/adgangskode", typo, 422, "De to adgangskoder er ikke ens.")


def test_the_api_lists_the_same_accounts_and_log_as_the_pages(world: World) -> None:
    assert post(world.browser(world.coordinator), f"/brugere/{world.colleague.id}/deaktiver").status_code == 303
    coordinator = world.browser(world.coordinator).client
    listed = {user["email"]: user for user in coordinator.get("/api/users").json()}
    assert world.admin.email not in listed and world.far_coordinator.email not in listed
    assert listed[world.colleague.email]["state"] == "deactivated"
    assert listed[world.editor.email] | {"last_login_at": None} == {
        "id": world.editor.id,
        "email": world.editor.email,
        "name": "Jette Jobcenterchef",
        "role": "editor",
        "scope": "Allerød",
        "state": "active",
        "last_login_at": None,
    }
    assert [u["email"] for u in coordinator.get("/api/users", params={"q": "kollega"}).json()] == [
        world.colleague.email
    ]
    [event] = coordinator.get("/api/users/audit").json()
    assert (event["action"], event["who"], event["user_email"]) == (
        "deactivated",
        "Kirsten Koordinator",
        world.colleague.email,
    )
    assert world.browser(world.far_coordinator).client.get("/api/users/audit").json() == []
    for user in (world.editor, world.reader):
        for url in ("/api/users", "/api/users/audit"):
            response = world.browser(user).client.get(url)
            assert response.status_code == 403, (user.email, url)
            assert "administrerer brugere" in response.text or "Kun administratorer" in response.text


def test_an_out_of_range_user_id_is_a_clear_refusal(world: World) -> None:
    admin = world.browser(world.admin)
    for user_id in ("0", "2147483648", "9223372036854775808", "abc"):
        page = admin.client.get(f"/brugere/{user_id}")
        assert page.status_code == 422, (user_id, page.status_code)
        assert "Ugyldig anmodning" in page.text
        assert post(admin, f"/brugere/{user_id}/deaktiver").status_code == 422
