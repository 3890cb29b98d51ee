"""Users: who they are, their role and scope, and the state of their account."""

import re
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from app.domain.access import AccountScope, Actor
from app.domain.errors import InvalidInput
from app.domain.municipalities import find_kkr
from app.domain.text import MAX_EMAIL_LENGTH, clean_text
from app.domain.vocabulary import Role, UserState
from app.models import Kkr, Municipality, User
from app.security.passwords import hash_password, password_problem

EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_NAME_LENGTH = 200


def actor_of(user: User) -> Actor:
    assert user.id is not None
    return Actor(user.id, user.role, user.kkr_id, user.municipality_code)


def normalise_email(email: str) -> str:
    return email.strip().lower()


def user_state(user: User) -> UserState:
    """Invited until a password is chosen; deactivated accounts stay, never deleted."""
    if not user.is_active:
        return UserState.DEACTIVATED
    return UserState.INVITED if user.password_hash is None else UserState.ACTIVE


def account_scope(session: Session, user: User) -> AccountScope:
    """The role and KKR of ``user``, as the access rule sees them."""
    if user.role is Role.EDITOR and user.municipality_code is not None:
        municipality = session.get(Municipality, user.municipality_code)
        return AccountScope(user.role, municipality.kkr_id if municipality else None)
    return AccountScope(user.role, user.kkr_id)


@dataclass(frozen=True)
class AccountInput:
    """What a form, the API or the CLI says an account should be."""

    email: str
    name: str
    role: Role
    kkr_name: str | None = None
    municipality_code: int | None = None


@dataclass(frozen=True)
class CheckedAccount:
    """An ``AccountInput`` that passed every check, with its scope resolved."""

    email: str
    name: str
    role: Role
    kkr_id: int | None
    municipality_code: int | None
    scope: AccountScope


def parse_role(value: str) -> Role:
    try:
        return Role(value)
    except ValueError:
        raise InvalidInput(f"{value!r} er ikke en rolle.", field="role") from None


def check_account(session: Session, data: AccountInput, *, user_id: int | None = None) -> CheckedAccount:
    """Check an account's e-mail, name, role and scope (``user_id``: the account being changed).

    The e-mail is a valid address not in use by another account; the name at most 200
    characters; a coordinator needs a KKR, an editor a municipality, a reader may have a KKR
    (the one whose coordinator manages them), and nobody else has either.
    """
    email = normalise_email(data.email)
    if len(email) > MAX_EMAIL_LENGTH or not EMAIL_PATTERN.match(email):
        raise InvalidInput(f"{email[:80]!r} er ikke en gyldig e-mailadresse.", field="email")
    taken = session.exec(select(User.id).where(User.email == email)).first()
    if taken is not None and taken != user_id:
        raise InvalidInput(f"Der findes allerede en bruger med e-mailen {email}.", field="email")
    name = clean_text(data.name.replace("\n", " "), field="name", label="Navnet", max_length=MAX_NAME_LENGTH)

    role = data.role
    kkr_name = (data.kkr_name or "").strip()
    kkr_id: int | None = None
    if role in (Role.COORDINATOR, Role.READER) and kkr_name:
        kkr = find_kkr(session, kkr_name)
        if kkr is None:
            who = "En KKR-koordinator" if role is Role.COORDINATOR else "En læser"
            raise InvalidInput(f"{who} skal knyttes til en kendt KKR.", field="kkr")
        kkr_id = kkr.id
    elif role is Role.COORDINATOR:
        raise InvalidInput("En KKR-koordinator skal knyttes til en kendt KKR.", field="kkr")
    elif kkr_name:
        raise InvalidInput("Kun en KKR-koordinator eller en læser knyttes til en KKR.", field="kkr")

    municipality_kkr: int | None = None
    if role is Role.EDITOR:
        municipality = session.get(Municipality, data.municipality_code) if data.municipality_code else None
        if municipality is None:
            raise InvalidInput("En redaktør skal knyttes til en kendt kommune (kommunekode).", field="municipality")
        municipality_kkr = municipality.kkr_id
    elif data.municipality_code is not None:
        raise InvalidInput("Kun en redaktør knyttes til en kommune.", field="municipality")

    scope = AccountScope(role, municipality_kkr if role is Role.EDITOR else kkr_id)
    return CheckedAccount(
        email=email,
        name=name or email,
        role=role,
        kkr_id=kkr_id,
        municipality_code=data.municipality_code if role is Role.EDITOR else None,
        scope=scope,
    )


def create_user(
    session: Session,
    *,
    email: str,
    name: str,
    role: Role,
    password: str | None,
    now: datetime,
    kkr_name: str | None = None,
    municipality_code: int | None = None,
) -> User:
    """Create a user (see ``check_account``). Without a password the account stands invited
    until its user chooses one through an invitation link; a password must pass the policy."""
    checked = check_account(session, AccountInput(email, name, role, kkr_name, municipality_code))
    if password is not None and (problem := password_problem(password, email=checked.email, name=checked.name)):
        raise InvalidInput(problem, field="password")
    user = User(
        email=checked.email,
        name=checked.name,
        password_hash=hash_password(password) if password is not None else None,
        role=checked.role,
        kkr_id=checked.kkr_id,
        municipality_code=checked.municipality_code,
        created_at=now,
    )
    session.add(user)
    session.flush()
    return user


def find_user_by_email(session: Session, email: str) -> User | None:
    return session.exec(select(User).where(User.email == normalise_email(email))).first()


def scope_label(session: Session, user: User) -> str:
    """Where the account works, as a reader of the user list says it."""
    if user.municipality_code is not None:
        municipality = session.get(Municipality, user.municipality_code)
        return municipality.name if municipality else str(user.municipality_code)
    if user.kkr_id is not None:
        kkr = session.get(Kkr, user.kkr_id)
        return kkr.name if kkr else ""
    return "Alle" if user.role is Role.ADMIN else ""
