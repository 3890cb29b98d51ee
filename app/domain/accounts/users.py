"""Users: who they are, their role and scope."""

import re
from datetime import datetime

from sqlmodel import Session, select

from app.domain.access import Actor
from app.domain.errors import InvalidInput
from app.domain.municipalities import find_kkr
from app.domain.vocabulary import Role
from app.models import Municipality, User
from app.security.passwords import hash_password, password_problem

EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def actor_of(user: User) -> Actor:
    assert user.id is not None
    return Actor(user.id, user.role, user.kkr_id, user.municipality_code)


def normalise_email(email: str) -> str:
    return email.strip().lower()


def create_user(
    session: Session,
    *,
    email: str,
    name: str,
    role: Role,
    password: str,
    now: datetime,
    kkr_name: str | None = None,
    municipality_code: int | None = None,
) -> User:
    """Create a user. A coordinator needs a KKR, an editor a municipality; others need neither."""
    email = normalise_email(email)
    if not EMAIL_PATTERN.match(email):
        raise InvalidInput(f"{email!r} er ikke en gyldig e-mailadresse.", field="email")
    if session.exec(select(User).where(User.email == email)).first() is not None:
        raise InvalidInput(f"Der findes allerede en bruger med e-mailen {email}.", field="email")
    if problem := password_problem(password, email=email, name=name):
        raise InvalidInput(problem, field="password")

    kkr_id: int | None = None
    if role is Role.COORDINATOR:
        kkr = find_kkr(session, kkr_name) if kkr_name else None
        if kkr is None:
            raise InvalidInput("En KKR-koordinator skal knyttes til en kendt KKR.", field="kkr")
        kkr_id = kkr.id
    elif kkr_name:
        raise InvalidInput("Kun en KKR-koordinator knyttes til en KKR.", field="kkr")
    if role is Role.EDITOR:
        municipality = session.get(Municipality, municipality_code) if municipality_code else None
        if municipality is None:
            raise InvalidInput("En redaktør skal knyttes til en kendt kommune (kommunekode).", field="municipality")
    elif municipality_code is not None:
        raise InvalidInput("Kun en redaktør knyttes til en kommune.", field="municipality")

    user = User(
        email=email,
        name=name.strip() or email,
        password_hash=hash_password(password),
        role=role,
        kkr_id=kkr_id,
        municipality_code=municipality_code if role is Role.EDITOR else None,
        created_at=now,
    )
    session.add(user)
    session.flush()
    return user
