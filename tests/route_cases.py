"""One real request for every state-changing route and API endpoint, against the world in
``tests.scenarios``. The access and CSRF tests send each of them as the wrong person or without
the token; the owner sends the same request to prove it would have changed something.

A new state-changing route that has no case here makes ``test_every_state_changing_route_has_a_case``
fail, so it cannot slip in untested.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlmodel import select

from app.domain.accounts import create_user
from app.domain.accounts.links import issue_link
from app.domain.municipalities import find_kkr
from app.domain.rounds import find_round
from app.domain.vocabulary import LinkPurpose, Role, RoundState
from app.models import StatusEntry, User
from tests.factories import AARHUS, ALLEROED, HOVEDSTADEN, KOEBENHAVN, PASSWORD, make_round, set_round_state
from tests.scenarios import FREDERIKSBERG, YEAR, Req, World, row_save, row_save_api
from tests.spreadsheet_helpers import filled_for_allerod, pending_for_allerod

# Log-in and log-out, the own account page and the password links act on the caller's own
# account (or the link's), not on a municipality; ACCOUNT_CASES below sends each of them.
NO_MUNICIPALITY = {
    ("POST", "/login"),
    ("POST", "/logout"),
    ("POST", "/konto/adgangskode"),
    ("POST", "/konto/log-ud-overalt"),
    ("POST", "/glemt-adgangskode"),
    ("POST", "/adgangskode/{token}"),
}


@dataclass(frozen=True)
class Case:
    """A request that changes a municipality's data, and who may rightly send it."""

    name: str
    method: str
    path: str  # the route's path template, as the app names it
    request: Callable[[World], Req]
    owner: Callable[[World], User] | None  # None: nobody may do it in this state
    owner_status: int = 200


INTRUDER_REMARK = "Sat af en uvedkommende."


def _row(world: World) -> Req:
    entry = world.entry("hov15-v1")
    return row_save(entry.id, entry.version, colour="red", remark=INTRUDER_REMARK)


def _row_api(world: World) -> Req:
    entry = world.entry("hov15-v1")
    return row_save_api(entry.id, entry.version, colour="red", remark=INTRUDER_REMARK, opted_out=False)


def _submitted_row(world: World) -> Req:
    entry = world.entry("hov15-v1", world.submitted)
    return row_save(entry.id, entry.version, colour="red", remark=INTRUDER_REMARK)


def _submitted_row_api(world: World) -> Req:
    entry = world.entry("hov15-v1", world.submitted)
    return row_save_api(entry.id, entry.version, colour="red", remark=INTRUDER_REMARK, opted_out=False)


def _committee_form(world: World, report_id: int | None, version: int) -> Req:
    form = {
        "committee_name": "Beskæftigelsesudvalget",
        "committee_date": "2026-01-15",
        "agenda_url": "https://kommune.example/dagsorden/15",
        "version": version,
    }
    return Req.of_form(f"/rapporter/{report_id}/behandling", form)


def _confirm_unchanged(world: World) -> Req:
    """Allerød's V2 row as if carried over and not yet confirmed, and the form that confirms it."""
    entry = world.entry("hov15-v2")
    with world.db.write() as session:
        stored = session.get(StatusEntry, entry.id)
        assert stored is not None
        stored.confirmed = False
        session.add(stored)
    return Req.of_form(f"/rapporter/{world.report.id}/bekraeft-uaendrede", {"versions": f"{entry.id}:{entry.version}"})


def _confirm_unchanged_api(world: World) -> Req:
    _confirm_unchanged(world)
    entry = world.entry("hov15-v2")
    body = {"versions": {str(entry.id): entry.version}}
    return Req.of_json("POST", f"/api/reports/{ALLEROED}/{YEAR}/confirm-unchanged", body)


def _committee_json(code: int, version: int) -> Req:
    body = {
        "committee_name": "Beskæftigelsesudvalget",
        "committee_date": "2026-01-15",
        "agenda_url": "https://kommune.example/dagsorden/15",
        "version": version,
    }
    return Req.of_json("PUT", f"/api/reports/{code}/{YEAR}/committee", body)


CASES = [
    Case(
        "start a report (page)",
        "POST",
        "/kommuner/{code}/{year}/start",
        lambda w: Req.of_form(f"/kommuner/{KOEBENHAVN}/{YEAR}/start", {"carry_over": "false"}),
        lambda w: w.copenhagen_editor,
        303,
    ),
    Case(
        "start a report (API)",
        "POST",
        "/api/reports/{code}/{year}/start",
        lambda w: Req.of_json("POST", f"/api/reports/{KOEBENHAVN}/{YEAR}/start", {"carry_over": False}),
        lambda w: w.copenhagen_editor,
        201,
    ),
    Case("save a row (page)", "POST", "/raekker/{entry_id}", _row, lambda w: w.editor),
    Case("save a row (API)", "PUT", "/api/entries/{entry_id}", _row_api, lambda w: w.editor),
    Case("save a row of a submitted report (page)", "POST", "/raekker/{entry_id}", _submitted_row, None),
    Case("save a row of a submitted report (API)", "PUT", "/api/entries/{entry_id}", _submitted_row_api, None),
    Case(
        "submit (page)",
        "POST",
        "/rapporter/{report_id}/indsend",
        lambda w: Req.of_form(f"/rapporter/{w.report.id}/indsend"),
        lambda w: w.editor,
        204,  # HTMX: HX-Redirect to the page
    ),
    Case(
        "confirm all unchanged rows (page)",
        "POST",
        "/rapporter/{report_id}/bekraeft-uaendrede",
        _confirm_unchanged,
        lambda w: w.editor,
        303,
    ),
    Case(
        "confirm all unchanged rows (API)",
        "POST",
        "/api/reports/{code}/{year}/confirm-unchanged",
        _confirm_unchanged_api,
        lambda w: w.editor,
    ),
    Case(
        "submit (API)",
        "POST",
        "/api/reports/{code}/{year}/submit",
        lambda w: Req.of_json("POST", f"/api/reports/{ALLEROED}/{YEAR}/submit", {}),
        lambda w: w.editor,
    ),
    Case(
        "reopen (page)",
        "POST",
        "/rapporter/{report_id}/genaabn",
        lambda w: Req.of_form(f"/rapporter/{w.submitted.id}/genaabn", {"reason": "Ret række V1."}),
        lambda w: w.coordinator,
        204,
    ),
    Case(
        "reopen (API)",
        "POST",
        "/api/reports/{code}/{year}/reopen",
        lambda w: Req.of_json("POST", f"/api/reports/{FREDERIKSBERG}/{YEAR}/reopen", {"reason": "Ret række V1."}),
        lambda w: w.coordinator,
    ),
    Case(
        "record the committee (page)",
        "POST",
        "/rapporter/{report_id}/behandling",
        lambda w: _committee_form(w, w.report.id, w.fresh_report().version),
        lambda w: w.editor,
    ),
    Case(
        "record the committee (API)",
        "PUT",
        "/api/reports/{code}/{year}/committee",
        lambda w: _committee_json(ALLEROED, w.fresh_report().version),
        lambda w: w.editor,
    ),
    Case(
        "record the committee of a submitted report (page)",
        "POST",
        "/rapporter/{report_id}/behandling",
        lambda w: _committee_form(w, w.submitted.id, w.fresh_report(w.submitted).version),
        lambda w: w.frederiksberg_editor,
    ),
    Case(
        "record the committee of a submitted report (API)",
        "PUT",
        "/api/reports/{code}/{year}/committee",
        lambda w: _committee_json(FREDERIKSBERG, w.fresh_report(w.submitted).version),
        lambda w: w.frederiksberg_editor,
    ),
]


def _publish(world: World) -> Req:
    """Publishing needs a closed round: close it first (as the coordinator would)."""
    set_round_state(world.db, world.round.id or 0, RoundState.CLOSED)
    return Req.of_form(f"/runder/{world.round.id}/offentliggoer")


def _upload(url: str) -> Callable[[World], Req]:
    def request(world: World) -> Req:
        return Req(
            "POST",
            url,
            form={},
            files={"workbook": ("skema.xlsx", filled_for_allerod(world), "application/octet-stream")},
        )

    return request


def _import_choices(world: World) -> Req:
    return Req.of_form(f"/kommuner/{ALLEROED}/{YEAR}/indlaes/valg", {"pending": pending_for_allerod(world)})


CASES += [
    Case(
        "import the offline workbook (page)",
        "POST",
        "/kommuner/{code}/{year}/indlaes",
        _upload(f"/kommuner/{ALLEROED}/{YEAR}/indlaes"),
        lambda w: w.editor,
    ),
    Case(
        "import the offline workbook after choosing (page)",
        "POST",
        "/kommuner/{code}/{year}/indlaes/valg",
        _import_choices,
        lambda w: w.editor,
    ),
    Case(
        "import the offline workbook (API)",
        "POST",
        "/api/reports/{code}/{year}/import",
        _upload(f"/api/reports/{ALLEROED}/{YEAR}/import"),
        lambda w: w.editor,
    ),
    Case(
        "write the round's texts",
        "POST",
        "/runder/{round_id}/tekster",
        lambda w: Req.of_form(
            f"/runder/{w.round.id}/tekster", {"section": "summary", "version": 0, "text": "Sammenfatning."}
        ),
        lambda w: w.coordinator,
    ),
    Case("publish the round", "POST", "/runder/{round_id}/offentliggoer", _publish, lambda w: w.coordinator, 303),
]
# ---------------------------------------------------------------------------- rounds and review (issue 11)


def _kkr_id(world: World) -> int:
    with world.db.read() as session:
        kkr = find_kkr(session, HOVEDSTADEN)
        assert kkr is not None and kkr.id is not None
        return kkr.id


def _round_in(world: World, year: int, state: RoundState) -> int:
    """A round of KKR Hovedstaden for ``year`` in ``state``, made once per world."""
    with world.db.read() as session:
        found = find_round(session, _kkr_id(world), year)
    if found is None:
        found = make_round(world.db, year, state=state)
    assert found.id is not None
    return found.id


def _new_round_form(world: World) -> Req:
    form = {
        "kkr_id": _kkr_id(world),
        "year": "2027",
        "catalogue": "",
        "opens_on": "2028-01-03",
        "deadline": "2028-02-28",
        "reminder_days": "14, 3, -1",
    }
    return Req.of_form("/runder", form)


def _new_round_json(world: World) -> Req:
    body = {"kkr_id": _kkr_id(world), "year": 2027, "opens_on": "2028-01-03", "deadline": "2028-02-28"}
    return Req.of_json("POST", "/api/rounds", body)


def _coordinator(world: World) -> User:
    return world.coordinator


def _round_action(name: str, path: str, api: str, round_of: Callable[[World], int]) -> list[Case]:
    return [
        Case(
            f"{name} (page)",
            "POST",
            f"/runder/{{round_id}}/{path}",
            lambda w: Req.of_form(f"/runder/{round_of(w)}/{path}"),
            _coordinator,
            303,
        ),
        Case(
            f"{name} (API)",
            "POST",
            f"/api/rounds/{{round_id}}/{api}",
            lambda w: Req.of_json("POST", f"/api/rounds/{round_of(w)}/{api}", {}),
            _coordinator,
        ),
    ]


ROUND_CASES = [
    Case("create a round (page)", "POST", "/runder", _new_round_form, _coordinator, 303),
    Case("create a round (API)", "POST", "/api/rounds", _new_round_json, _coordinator, 201),
    *_round_action("open a planned round", "aabn", "open", lambda w: _round_in(w, 2026, RoundState.PLANNED)),
    *_round_action("close the open round", "luk", "close", lambda w: w.round.id or 0),
    *_round_action("reopen a closed round", "genaabn", "reopen", lambda w: _round_in(w, 2024, RoundState.CLOSED)),
    Case(
        "set the reminder schedule (page)",
        "POST",
        "/runder/{round_id}/plan",
        lambda w: Req.of_form(f"/runder/{w.round.id}/plan", {"reminder_days": "10, 2"}),
        _coordinator,
        303,
    ),
    Case(
        "set the reminder schedule (API)",
        "PUT",
        "/api/rounds/{round_id}/reminder-schedule",
        lambda w: Req.of_json("PUT", f"/api/rounds/{w.round.id}/reminder-schedule", {"reminder_days": "10, 2"}),
        _coordinator,
    ),
    Case(
        "remind (page)",
        "POST",
        "/runder/{round_id}/paamindelser",
        lambda w: Req.of_form(f"/runder/{w.round.id}/paamindelser", {"municipality_code": KOEBENHAVN}),
        _coordinator,
        303,
    ),
    Case(
        "remind (API)",
        "POST",
        "/api/rounds/{round_id}/reminders",
        lambda w: Req.of_json("POST", f"/api/rounds/{w.round.id}/reminders", {}),
        _coordinator,
    ),
    Case(
        "approve (page)",
        "POST",
        "/rapporter/{report_id}/godkend",
        lambda w: Req.of_form(f"/rapporter/{w.submitted.id}/godkend"),
        _coordinator,
        303,
    ),
    Case(
        "approve (API)",
        "POST",
        "/api/reports/{code}/{year}/approve",
        lambda w: Req.of_json("POST", f"/api/reports/{FREDERIKSBERG}/{YEAR}/approve", {}),
        _coordinator,
    ),
    Case(
        "send back (page)",
        "POST",
        "/rapporter/{report_id}/send-tilbage",
        lambda w: Req.of_form(
            f"/rapporter/{w.submitted.id}/send-tilbage",
            {"comment": "Uddyb række V1.", "code": FREDERIKSBERG, "year": YEAR},
        ),
        _coordinator,
        303,
    ),
    Case(
        "send back (API)",
        "POST",
        "/api/reports/{code}/{year}/send-back",
        lambda w: Req.of_json("POST", f"/api/reports/{FREDERIKSBERG}/{YEAR}/send-back", {"comment": "Uddyb V1."}),
        _coordinator,
    ),
]
CASES += ROUND_CASES

ACCOUNT_CASES = [
    Case(
        "log in",
        "POST",
        "/login",
        lambda w: Req.of_form("/login", {"email": w.editor.email, "password": "korrekt-hest-batteri"}),
        None,
    ),
    Case("log out", "POST", "/logout", lambda w: Req.of_form("/logout"), lambda w: w.editor, 303),
    Case(
        "change one's own password",
        "POST",
        "/konto/adgangskode",
        lambda w: Req.of_form(
            "/konto/adgangskode",
            {
                "old_password": PASSWORD,
                "password": "en helt ny lang sætning",
                "password_again": "en helt ny lang sætning",
            },
        ),
        lambda w: w.editor,
    ),
    Case(
        "log out everywhere",
        "POST",
        "/konto/log-ud-overalt",
        lambda w: Req.of_form("/konto/log-ud-overalt"),
        lambda w: w.editor,
        303,
    ),
    Case(
        "ask for a reset link",
        "POST",
        "/glemt-adgangskode",
        lambda w: Req.of_form("/glemt-adgangskode", {"email": w.colleague.email}),
        None,
    ),
    Case("choose a password by link", "POST", "/adgangskode/{token}", lambda w: _link_request(w), None),
]


def _link_request(world: World) -> Req:
    """A valid reset link of the Allerød colleague (a fresh one each time: the old stops working)."""
    with world.db.write() as session:
        user = session.get(User, world.colleague.id)
        assert user is not None
        token = issue_link(session, user, LinkPurpose.RESET, now=datetime.now(UTC), lifetime=timedelta(hours=1))
    password = "en helt ny lang sætning"
    return Req.of_form(f"/adgangskode/{token}", {"password": password, "password_again": password})


# ---------------------------------------------------------------------------- account administration


@dataclass(frozen=True)
class AdminCase:
    """A request that changes an account, and the users (World attributes) who may rightly send
    it; every other user of the world is refused with 403 or 404 and nothing changes."""

    name: str
    method: str
    path: str
    request: Callable[[World], Req]
    allowed: tuple[str, ...]
    allowed_status: int = 303


EVERY_ROLE = ("admin", "coordinator", "far_coordinator", "editor", "other_editor", "reader")


def _invite(**form: object) -> Callable[[World], Req]:
    values = {"email": "ny@alleroed.example", "name": "Nina Ny", "role": "editor", "municipality": ALLEROED}
    return lambda w: Req.of_form("/brugere", {**values, **form})


def _change(who: str, **form: object) -> Callable[[World], Req]:
    def request(world: World) -> Req:
        user: User = getattr(world, who)
        values = {"email": user.email, "name": user.name, "role": user.role.value, "kkr": "", "municipality": ""}
        if user.municipality_code:
            values["municipality"] = str(user.municipality_code)
        return Req.of_form(f"/brugere/{user.id}", {**values, **form})

    return request


def _deactivated_colleague(world: World) -> Req:
    with world.db.write() as session:
        user = session.get(User, world.colleague.id)
        assert user is not None
        user.is_active = False
        session.add(user)
    return Req.of_form(f"/brugere/{world.colleague.id}/genaktiver")


def _invited_user(world: World) -> Req:
    with world.db.write() as session:
        user = session.exec(select(User).where(User.email == "inviteret@alleroed.example")).first()
        if user is None:
            user = create_user(
                session,
                email="inviteret@alleroed.example",
                name="Ivan Inviteret",
                role=Role.EDITOR,
                password=None,
                now=datetime.now(UTC),
                municipality_code=ALLEROED,
            )
    return Req.of_form(f"/brugere/{user.id}/inviter")


ACCOUNT_ADMIN_CASES = [
    AdminCase("invite an editor of Allerød", "POST", "/brugere", _invite(), ("admin", "coordinator")),
    AdminCase(
        "invite an editor of Aarhus", "POST", "/brugere", _invite(municipality=AARHUS), ("admin", "far_coordinator")
    ),
    AdminCase("invite an admin", "POST", "/brugere", _invite(role="admin", municipality=""), ("admin",)),
    AdminCase(
        "invite a coordinator",
        "POST",
        "/brugere",
        _invite(role="coordinator", municipality="", kkr="KKR Hovedstaden"),
        ("admin",),
    ),
    AdminCase(
        "make an Allerød editor a reader of the KKR",
        "POST",
        "/brugere/{user_id}",
        _change("colleague", role="reader", municipality="", kkr="KKR Hovedstaden"),
        ("admin", "coordinator"),
    ),
    AdminCase(
        "move an Allerød editor to Aarhus",
        "POST",
        "/brugere/{user_id}",
        _change("colleague", municipality=AARHUS),
        ("admin",),
    ),
    AdminCase(
        "make an Allerød editor a coordinator",
        "POST",
        "/brugere/{user_id}",
        _change("colleague", role="coordinator", municipality="", kkr="KKR Hovedstaden"),
        ("admin",),
    ),
    AdminCase(
        "rename the coordinator",
        "POST",
        "/brugere/{user_id}",
        _change("coordinator", name="K. K.", kkr="KKR Hovedstaden"),
        ("admin",),
    ),
    AdminCase(
        "deactivate an Allerød editor",
        "POST",
        "/brugere/{user_id}/deaktiver",
        lambda w: Req.of_form(f"/brugere/{w.colleague.id}/deaktiver"),
        ("admin", "coordinator"),
    ),
    AdminCase(
        "deactivate the admin",
        "POST",
        "/brugere/{user_id}/deaktiver",
        lambda w: Req.of_form(f"/brugere/{w.admin.id}/deaktiver"),
        (),  # nobody: not even the admin themselves
    ),
    AdminCase(
        "reactivate an Allerød editor",
        "POST",
        "/brugere/{user_id}/genaktiver",
        _deactivated_colleague,
        ("admin", "coordinator"),
    ),
    AdminCase(
        "send an invitation again",
        "POST",
        "/brugere/{user_id}/inviter",
        _invited_user,
        ("admin", "coordinator"),
    ),
]


def _first_allowed(case: AdminCase) -> Callable[[World], User]:
    def owner(world: World) -> User:
        user: User = getattr(world, case.allowed[0])
        return user

    return owner


# The CSRF walk sends each of them too, as the first user who may.
ACCOUNT_CASES += [
    Case(case.name, case.method, case.path, case.request, _first_allowed(case))
    for case in ACCOUNT_ADMIN_CASES
    if case.allowed
]


def case_id(case: Case) -> str:
    return case.name
