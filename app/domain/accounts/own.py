"""A user's own account: change the password (with the old one), see the sessions, and log out
everywhere."""

from datetime import datetime

from sqlmodel import Session

from app.domain.accounts.audit import record
from app.domain.accounts.links import TooManyRequests, new_password_hash
from app.domain.accounts.login import end_sessions
from app.domain.accounts.users import account_scope
from app.domain.errors import InvalidInput
from app.domain.vocabulary import AuditAction
from app.models import User
from app.security.passwords import HashingBusy, verify_password


def checked_password_change(user: User, *, old: str, new: str, repeated: str) -> str:
    """The first step of changing a password, with no transaction open (argon2 is slow): the
    current password is right, the new one passes and differs; returns the new hash."""
    try:
        right = verify_password(old, user.password_hash)
    except HashingBusy as busy:
        raise TooManyRequests(busy.message) from None
    if not right:
        raise InvalidInput("Den nuværende adgangskode er forkert.", field="old_password")
    if new == old:
        raise InvalidInput("Den nye adgangskode skal være en anden end den nuværende.", field="password")
    return new_password_hash(new, repeated, user=user)


def change_password(
    session: Session, user: User, *, password_hash: str, now: datetime, client_ip: str, keep_token: str | None
) -> int:
    """Store the new password (from ``checked_password_change``). Every other session of the
    user ends (this browser, ``keep_token``, stays logged in); returns how many ended."""
    assert user.id is not None
    user.password_hash = password_hash
    session.add(user)
    ended = end_sessions(session, user.id, keep_token=keep_token)
    record(
        session,
        AuditAction.PASSWORD_CHANGED,
        now=now,
        client_ip=client_ip,
        actor_id=user.id,
        subject_id=user.id,
        kkr_id=account_scope(session, user).kkr_id,
        detail=f"{ended} andre sessioner afsluttet",
    )
    return ended


def sign_out_everywhere(session: Session, user: User, *, now: datetime, client_ip: str) -> int:
    """End every session of the user, this browser's too; returns how many ended."""
    assert user.id is not None
    ended = end_sessions(session, user.id)
    record(
        session,
        AuditAction.SIGNED_OUT_EVERYWHERE,
        now=now,
        client_ip=client_ip,
        actor_id=user.id,
        subject_id=user.id,
        kkr_id=account_scope(session, user).kkr_id,
        detail=f"{ended} sessioner afsluttet",
    )
    return ended
