"""User administration pages: the list, invite, change, deactivate, reactivate, and the audit log."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session

from app.db import Database
from app.deps import (
    ClientIp,
    CurrentActor,
    CurrentUser,
    DatabaseDep,
    LinkPolicyDep,
    MailComposer,
    Now,
    PathId,
    ReadSession,
)
from app.domain.access import Actor
from app.domain.accounts.admin import (
    MAX_SEARCH_LENGTH,
    Doer,
    change_user,
    deactivate_user,
    form_choices,
    get_managed_user,
    invite_user,
    list_users,
    reactivate_user,
    resend_invitation,
)
from app.domain.accounts.audit import audit_log
from app.domain.accounts.users import AccountInput, parse_role, scope_label, user_state
from app.domain.errors import DomainError, InvalidInput
from app.models import User
from app.web.templating import path_for, render

router = APIRouter()

# What the page says after a redirect; the query names one of these, never free text.
NOTICES = {
    "inviteret": "Brugeren er oprettet, og invitationen er sendt.",
    "gemt": "Ændringerne er gemt.",
    "deaktiveret": "Brugeren er deaktiveret og logget ud overalt.",
    "genaktiveret": "Brugeren er aktiv igen.",
    "sendt": "En ny invitation er sendt; det gamle link virker ikke længere.",
}


def _doer(user: CurrentUser, actor: CurrentActor, client_ip: ClientIp) -> Doer:
    return Doer(actor, user.name, client_ip)


CurrentDoer = Annotated[Doer, Depends(_doer)]


def _account_input(email: str, name: str, role: str, kkr: str, municipality: str) -> AccountInput:
    code = municipality.strip()
    if code and not code.isdigit():
        raise InvalidInput("Vælg en kommune på listen.", field="municipality")
    return AccountInput(
        email=email,
        name=name,
        role=parse_role(role),
        kkr_name=kkr.strip() or None,
        municipality_code=int(code) if code else None,
    )


def _form_page(
    request: Request,
    session: Session,
    actor: Actor,
    *,
    user: User | None,
    form: dict[str, str],
    error: DomainError | None = None,
    notice: str = "",
) -> Response:
    context: dict[str, Any] = {
        "account": user,
        "form": form,
        "choices": form_choices(session, actor),
        "error": error,
        "notice": notice,
    }
    if user is not None:
        assert user.id is not None
        context["state"] = user_state(user)
        context["scope"] = scope_label(session, user)
        context["events"] = audit_log(session, actor, subject_id=user.id, limit=50)
    return render(request, "pages/user_form.html", context, status_code=error.status_code if error else 200)


def _form_of(session: Session, user: User | None) -> dict[str, str]:
    """The form's fields as the account stands (blank for a new one)."""
    if user is None:
        return {"email": "", "name": "", "role": "editor", "kkr": "", "municipality": ""}
    return {
        "email": user.email,
        "name": user.name,
        "role": user.role.value,
        "kkr": scope_label(session, user) if user.kkr_id is not None else "",
        "municipality": str(user.municipality_code or ""),
    }


# No length limits here: the domain refuses an over-long value with a Danish message next to the
# field, the typing kept; the body-size limit stops abuse before parsing.
Field = Annotated[str, Form()]


@router.get("/brugere")
def users_page(request: Request, session: ReadSession, actor: CurrentActor, q: str = "") -> Response:
    rows = list_users(session, actor, search=q)
    return render(request, "pages/users.html", {"rows": rows, "q": q[:MAX_SEARCH_LENGTH]})


@router.get("/brugere/log")
def audit_page(request: Request, session: ReadSession, actor: CurrentActor) -> Response:
    return render(request, "pages/audit.html", {"events": audit_log(session, actor)})


def _user_url(request: Request, user_id: int | None, notice: str) -> str:
    """The user's page, saying what was just done (by its code in NOTICES)."""
    assert user_id is not None  # a saved account
    return f"{path_for(request, 'user_page', user_id=user_id)}?besked={notice}"


@router.get("/brugere/ny")
def new_user_page(request: Request, session: ReadSession, actor: CurrentActor) -> Response:
    return _form_page(request, session, actor, user=None, form=_form_of(session, None))


@router.post("/brugere", name="user_invite")
def invite(
    request: Request,
    database: DatabaseDep,
    actor: CurrentActor,
    doer: CurrentDoer,
    now: Now,
    policy: LinkPolicyDep,
    composer: MailComposer,
    email: Field = "",
    name: Field = "",
    role: Field = "",
    kkr: Field = "",
    municipality: Field = "",
) -> Response:
    form = {"email": email, "name": name, "role": role, "kkr": kkr, "municipality": municipality}
    try:
        with database.write() as session:
            data = _account_input(email, name, role, kkr, municipality)
            created = invite_user(session, doer, data, now=now, policy=policy, composer=composer)
    except DomainError as error:
        with database.read() as session:
            return _form_page(request, session, actor, user=None, form=form, error=error)
    return RedirectResponse(_user_url(request, created.id, "inviteret"), status_code=303)


@router.get("/brugere/{user_id}")
def user_page(
    request: Request, user_id: PathId, session: ReadSession, actor: CurrentActor, besked: str = ""
) -> Response:
    account = get_managed_user(session, actor, user_id)
    form = _form_of(session, account)
    return _form_page(request, session, actor, user=account, form=form, notice=NOTICES.get(besked, ""))


@router.post("/brugere/{user_id}", name="user_change")
def change(
    request: Request,
    user_id: PathId,
    database: DatabaseDep,
    actor: CurrentActor,
    doer: CurrentDoer,
    now: Now,
    email: Field = "",
    name: Field = "",
    role: Field = "",
    kkr: Field = "",
    municipality: Field = "",
) -> Response:
    form = {"email": email, "name": name, "role": role, "kkr": kkr, "municipality": municipality}
    try:
        with database.write() as session:
            account = get_managed_user(session, actor, user_id)
            change_user(session, doer, account, _account_input(email, name, role, kkr, municipality), now=now)
    except DomainError as error:
        with database.read() as session:
            account = get_managed_user(session, actor, user_id)
            return _form_page(request, session, actor, user=account, form=form, error=error)
    return RedirectResponse(_user_url(request, user_id, "gemt"), status_code=303)


@dataclass(frozen=True)
class AccountAction:
    """What every action on a managed account needs: the request, the database, who acts, when."""

    request: Request
    database: Database
    actor: Actor
    doer: Doer
    now: datetime

    def run(self, user_id: int, notice: str, action: Callable[[Session, Doer, User], object]) -> Response:
        """Run ``action`` on the account; its refusal is shown on the account's page."""
        try:
            with self.database.write() as session:
                action(session, self.doer, get_managed_user(session, self.actor, user_id))
        except DomainError as error:
            with self.database.read() as session:
                account = get_managed_user(session, self.actor, user_id)
                form = _form_of(session, account)
                return _form_page(self.request, session, self.actor, user=account, form=form, error=error)
        return RedirectResponse(_user_url(self.request, user_id, notice), status_code=303)


def _account_action(
    request: Request, database: DatabaseDep, actor: CurrentActor, doer: CurrentDoer, now: Now
) -> AccountAction:
    return AccountAction(request, database, actor, doer, now)


Acting = Annotated[AccountAction, Depends(_account_action)]


@router.post("/brugere/{user_id}/deaktiver", name="user_deactivate")
def deactivate(user_id: PathId, acting: Acting) -> Response:
    def action(session: Session, doer: Doer, account: User) -> None:
        deactivate_user(session, doer, account, now=acting.now)

    return acting.run(user_id, "deaktiveret", action)


@router.post("/brugere/{user_id}/genaktiver", name="user_reactivate")
def reactivate(user_id: PathId, acting: Acting) -> Response:
    def action(session: Session, doer: Doer, account: User) -> None:
        reactivate_user(session, doer, account, now=acting.now)

    return acting.run(user_id, "genaktiveret", action)


@router.post("/brugere/{user_id}/inviter", name="user_reinvite")
def reinvite(user_id: PathId, acting: Acting, policy: LinkPolicyDep, composer: MailComposer) -> Response:
    def action(session: Session, doer: Doer, account: User) -> None:
        resend_invitation(session, doer, account, now=acting.now, policy=policy, composer=composer)

    return acting.run(user_id, "sendt", action)
