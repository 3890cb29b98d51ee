"""User administration: an admin manages every account, a KKR coordinator the editors and
readers of their own KKR (``access.may_manage_account``). Accounts are created by invitation,
changed, deactivated and reactivated, never deleted, so the history keeps its names; every
action goes to the audit log with who, when, what and from which address."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_
from sqlmodel import Session, col, select

from app.domain.access import (
    AccountScope,
    Actor,
    manages_accounts,
    may_manage_account,
    require_account,
    require_account_target,
)
from app.domain.accounts.audit import record
from app.domain.accounts.links import LinkPolicy, forget_links, send_invitation
from app.domain.accounts.login import end_sessions
from app.domain.accounts.users import (
    AccountInput,
    CheckedAccount,
    account_scope,
    check_account,
    create_user,
    scope_label,
    user_state,
)
from app.domain.errors import Forbidden, NotAllowedNow, NotFound
from app.domain.outbox import Composer
from app.domain.text import danish_sort_key
from app.domain.vocabulary import AuditAction, Role, UserState
from app.models import Kkr, Municipality, User

MAX_LISTED = 1000
MAX_SEARCH_LENGTH = 100  # the user list's search words; longer input is cut, not refused


@dataclass(frozen=True)
class Doer:
    """Who acts and from where: the actor, their name for the mails, their address for the log."""

    actor: Actor | None  # None: the command line on the server, which may do anything
    name: str
    client_ip: str

    @property
    def user_id(self) -> int | None:
        return self.actor.user_id if self.actor else None


@dataclass(frozen=True)
class UserRow:
    """One line of the user list."""

    user: User
    state: UserState
    scope: str


def _require_admin_pages(actor: Actor) -> None:
    if not manages_accounts(actor):
        raise Forbidden("Kun administratorer og KKR-koordinatorer administrerer brugere.")


def _check_target(doer: Doer, checked: CheckedAccount) -> None:
    if doer.actor is not None:
        field = {Role.EDITOR: "municipality", Role.READER: "kkr"}.get(checked.role, "role")
        require_account_target(doer.actor, checked.scope, field=field)


def list_users(session: Session, actor: Actor, *, search: str = "") -> list[UserRow]:
    """The accounts the actor manages, by name, optionally those whose name, e-mail or
    municipality contains ``search``."""
    _require_admin_pages(actor)
    query = select(User).outerjoin(Municipality, col(Municipality.code) == User.municipality_code)
    if actor.role is Role.COORDINATOR:
        # Narrows the candidates in SQL; may_manage_account decides for each one below.
        query = query.where(or_(col(Municipality.kkr_id) == actor.kkr_id, col(User.kkr_id) == actor.kkr_id))
    words = search.strip().lower()[:MAX_SEARCH_LENGTH]
    if words:
        pattern = f"%{words}%"
        query = query.where(
            or_(
                col(User.name).ilike(pattern),
                col(User.email).ilike(pattern),
                col(Municipality.name).ilike(pattern),
            )
        )
    users = session.exec(query.limit(MAX_LISTED)).all()
    rows = [
        UserRow(user, user_state(user), scope_label(session, user))
        for user in users
        if may_manage_account(actor, account_scope(session, user))
    ]
    return sorted(rows, key=lambda row: danish_sort_key(row.user.name))


def get_managed_user(session: Session, actor: Actor, user_id: int) -> User:
    """The account, if the actor manages it; otherwise "not found"."""
    _require_admin_pages(actor)
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("Brugeren findes ikke, eller du har ikke adgang til den.")
    require_account(actor, account_scope(session, user))
    return user


def invite_user(
    session: Session, doer: Doer, data: AccountInput, *, now: datetime, policy: LinkPolicy, composer: Composer
) -> User:
    """Create an account without a password and mail its user an invitation to choose one.
    A coordinator may only create editors and readers of their own KKR."""
    if doer.actor is not None:
        _require_admin_pages(doer.actor)
    checked = check_account(session, data)
    _check_target(doer, checked)
    user = create_user(
        session,
        email=checked.email,
        name=checked.name,
        role=checked.role,
        password=None,
        now=now,
        kkr_name=data.kkr_name if checked.kkr_id is not None else None,
        municipality_code=checked.municipality_code,
    )
    assert user.id is not None
    record(
        session,
        AuditAction.CREATED,
        now=now,
        client_ip=doer.client_ip,
        actor_id=doer.user_id,
        subject_id=user.id,
        kkr_id=checked.scope.kkr_id,
        detail=f"{user.role.label}, {scope_label(session, user) or 'ingen KKR'}",
    )
    _invite(session, doer, user, now=now, policy=policy, composer=composer)
    return user


def _invite(session: Session, doer: Doer, user: User, *, now: datetime, policy: LinkPolicy, composer: Composer) -> None:
    """Queue ``user``'s invitation, sent and throttled as ``doer``."""
    send_invitation(
        session,
        user,
        now=now,
        client_ip=doer.client_ip,
        actor_id=doer.user_id,
        sent_by=doer.name,
        policy=policy,
        composer=composer,
    )


def resend_invitation(
    session: Session, doer: Doer, user: User, *, now: datetime, policy: LinkPolicy, composer: Composer
) -> User:
    """Send a new invitation to an account that has not chosen a password (the old link stops
    working). ``user`` comes from ``get_managed_user`` (or the command line)."""
    if user_state(user) is not UserState.INVITED:
        raise NotAllowedNow(
            "Brugeren har allerede valgt en adgangskode eller er deaktiveret; "
            "en glemt adgangskode nulstilles med »Glemt adgangskode?« på log ind-siden."
        )
    _invite(session, doer, user, now=now, policy=policy, composer=composer)
    return user


def change_user(session: Session, doer: Doer, user: User, data: AccountInput, *, now: datetime) -> User:
    """Change an account's name, e-mail, role or scope. The new role and scope must be within
    the actor's reach too; nobody changes their own role. Unchanged, nothing is written."""
    assert user.id is not None
    checked = check_account(session, data, user_id=user.id)
    _check_target(doer, checked)
    if doer.user_id == user.id and (checked.role, checked.kkr_id, checked.municipality_code) != (
        user.role,
        user.kkr_id,
        user.municipality_code,
    ):
        raise Forbidden("Du kan ikke ændre din egen rolle eller adgang.", field="role")
    old_scope, old_role = scope_label(session, user), user.role
    changes = []
    if checked.name != user.name:
        changes.append(f"navn: {user.name} → {checked.name}")
    if checked.email != user.email:
        changes.append(f"e-mail: {user.email} → {checked.email}")
    user.name, user.email, user.role = checked.name, checked.email, checked.role
    user.kkr_id, user.municipality_code = checked.kkr_id, checked.municipality_code
    new_scope = scope_label(session, user)
    if old_role is not user.role:
        changes.append(f"rolle: {old_role.label} → {user.role.label}")
    if old_scope != new_scope:
        changes.append(f"adgang: {old_scope or '–'} → {new_scope or '–'}")
    if not changes:
        return user
    session.add(user)
    record(
        session,
        AuditAction.CHANGED,
        now=now,
        client_ip=doer.client_ip,
        actor_id=doer.user_id,
        subject_id=user.id,
        kkr_id=checked.scope.kkr_id,
        detail="; ".join(changes),
    )
    return user


def deactivate_user(session: Session, doer: Doer, user: User, *, now: datetime) -> User:
    """Deactivate an account: it cannot log in, its sessions end at once and its links stop
    working (they say why). Never deleted: its name stays on everything it did."""
    assert user.id is not None
    if doer.user_id == user.id:
        raise Forbidden("Du kan ikke deaktivere din egen konto.")
    if not user.is_active:
        raise NotAllowedNow("Brugeren er allerede deaktiveret.")
    user.is_active = False
    session.add(user)
    ended = end_sessions(session, user.id)
    record(
        session,
        AuditAction.DEACTIVATED,
        now=now,
        client_ip=doer.client_ip,
        actor_id=doer.user_id,
        subject_id=user.id,
        kkr_id=account_scope(session, user).kkr_id,
        detail=f"{ended} sessioner afsluttet",
    )
    return user


def reactivate_user(session: Session, doer: Doer, user: User, *, now: datetime) -> User:
    """Let a deactivated account log in again (with its old password, or, if it never chose
    one, after a new invitation: links sent before the deactivation stay dead)."""
    assert user.id is not None
    if user.is_active:
        raise NotAllowedNow("Brugeren er allerede aktiv.")
    user.is_active = True
    session.add(user)
    forget_links(session, user.id)  # a link sent before the deactivation stays dead
    record(
        session,
        AuditAction.REACTIVATED,
        now=now,
        client_ip=doer.client_ip,
        actor_id=doer.user_id,
        subject_id=user.id,
        kkr_id=account_scope(session, user).kkr_id,
    )
    return user


@dataclass(frozen=True)
class FormChoices:
    """What the account form offers the actor: only roles and places within their reach."""

    roles: list[Role]
    kkrs: list[str]
    municipalities: list[Municipality]


def form_choices(session: Session, actor: Actor) -> FormChoices:
    """The roles, KKRs and municipalities an actor may give an account."""
    _require_admin_pages(actor)
    municipalities = select(Municipality)
    kkrs = select(Kkr.name).order_by(col(Kkr.name))
    roles = list(Role)
    if actor.role is Role.COORDINATOR:
        municipalities = municipalities.where(Municipality.kkr_id == actor.kkr_id)
        kkrs = kkrs.where(Kkr.id == actor.kkr_id)
        roles = [role for role in Role if may_manage_account(actor, AccountScope(role, actor.kkr_id))]
    return FormChoices(
        roles=roles,
        kkrs=list(session.exec(kkrs)),
        municipalities=sorted(session.exec(municipalities), key=lambda m: danish_sort_key(m.name)),
    )
