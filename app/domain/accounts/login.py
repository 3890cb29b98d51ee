"""Log-in with throttling, and the sessions a log-in opens."""

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, delete, func, text
from sqlmodel import Session, col, select

from app.domain.accounts.users import normalise_email
from app.domain.errors import DomainError
from app.models import LoginAttempt, User, UserSession
from app.security.passwords import verify_password
from app.security.tokens import new_token, token_hash

LOGIN_FAILED_MESSAGE = "Forkert e-mail eller adgangskode."
# One address may fail this many times the per-user limit, across all e-mails, per window.
ADDRESS_FACTOR = 4


class LoginThrottled(DomainError):
    status_code = 429


@dataclass(frozen=True)
class LoginPolicy:
    max_failures: int
    window: timedelta


def authenticate(
    session: Session,
    *,
    email: str,
    password: str,
    client_ip: str,
    now: datetime,
    policy: LoginPolicy,
) -> User | None:
    """The user, if the password is right; None if not. Every attempt is recorded (commit it).

    After too many failures for an e-mail from one address within the window (or too many from
    one address in all), even the right password is refused with ``LoginThrottled`` until the
    window has passed. (The log-in route runs the same steps in transactions of their own, with
    the slow password check outside any: ``begin_login``, ``verify_password``, ``finish_login``.)
    """
    candidate = begin_login(session, email=email, client_ip=client_ip, now=now, policy=policy)
    return finish_login(session, candidate, password_ok=verify_password(password, candidate.password_hash))


@dataclass(frozen=True)
class LoginCandidate:
    """What a log-in attempt needs from the database before the password is checked."""

    email: str
    client_ip: str
    policy: LoginPolicy
    user_id: int | None
    password_hash: str | None
    attempt_id: int  # the attempt, recorded as a failure until the password proves right


def begin_login(session: Session, *, email: str, client_ip: str, now: datetime, policy: LoginPolicy) -> LoginCandidate:
    """The first step of a log-in, in a short write transaction (commit it before the password
    check): the throttle, the attempt recorded as a failure, and the stored password hash.

    Raises ``LoginThrottled``. Because the attempt counts before its password is checked, a
    burst of attempts at once gets exactly the limit of guesses, however many are in flight; and
    the check itself (argon2, ~0.2 s of CPU) runs outside any transaction, so log-ins never hold
    the database's write lock while hashing. ``finish_login`` turns the failure into a success
    if the password was right; ``withdraw_login`` removes it if the password was never checked.
    """
    email = normalise_email(email)
    client_ip = client_ip[:64]
    _queue_attempts_from(session, client_ip)
    _refuse_if_throttled(session, email, client_ip, now, policy)
    user = session.exec(select(User).where(User.email == email)).first()
    attempt = LoginAttempt(email=email, client_ip=client_ip, succeeded=False, at=now)
    session.add(attempt)
    session.flush()
    assert attempt.id is not None
    user_id, password_hash = (user.id, user.password_hash) if user else (None, None)
    return LoginCandidate(email, client_ip, policy, user_id, password_hash, attempt.id)


def finish_login(session: Session, candidate: LoginCandidate, *, password_ok: bool) -> User | None:
    """The last step of a log-in, in a write transaction: the user if the password was right
    and the account is still active (the attempt then turns into a success), else None.

    No second look at the throttle: this attempt was counted when ``begin_login`` let it in.
    """
    user = session.get(User, candidate.user_id) if candidate.user_id is not None else None
    if not (password_ok and user is not None and user.is_active):
        return None
    attempt = session.get(LoginAttempt, candidate.attempt_id)
    if attempt is not None:
        attempt.succeeded = True
        session.add(attempt)
    return user


def withdraw_login(session: Session, candidate: LoginCandidate) -> None:
    """Forget an attempt whose password was never checked (the checks were busy), so that
    "try again in a moment" does not cost the user one of their tries."""
    session.exec(delete(LoginAttempt).where(col(LoginAttempt.id) == candidate.attempt_id))


# Any fixed number: it keeps these advisory locks apart from any other use of them.
_ADDRESS_LOCKS = 1701


def _queue_attempts_from(session: Session, client_ip: str) -> None:
    """Make counting this address's failures and recording an attempt one atomic step.

    Both limits count failures from the address, so one queue per address covers both. SQLite
    needs nothing here: write transactions begin IMMEDIATE, holding the database's only write
    lock. On PostgreSQL (read committed) two attempts could both count limit-1 failures and
    both be let in; an advisory lock on the address, held until this short transaction commits,
    makes the second count after the first has recorded its attempt. (Two addresses whose
    32-bit keys collide merely queue together.)
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    key = int.from_bytes(hashlib.blake2b(client_ip.encode(), digest_size=4).digest(), "big", signed=True)
    lock = text("SELECT pg_advisory_xact_lock(CAST(:space AS integer), CAST(:key AS integer))")
    session.execute(lock, {"space": _ADDRESS_LOCKS, "key": key})


def _refuse_if_throttled(session: Session, email: str, client_ip: str, now: datetime, policy: LoginPolicy) -> None:
    recent_failures = (
        select(func.count())
        .select_from(LoginAttempt)
        .where(col(LoginAttempt.succeeded).is_(False))
        .where(LoginAttempt.at >= now - policy.window)
    )
    # Counted per e-mail *and* address, so a stranger cannot lock a user out from elsewhere;
    # and per address across e-mails, so one machine cannot try password after password.
    for_this_pair = session.exec(
        recent_failures.where(LoginAttempt.email == email).where(LoginAttempt.client_ip == client_ip)
    ).one()
    from_this_address = session.exec(recent_failures.where(LoginAttempt.client_ip == client_ip)).one()
    if for_this_pair >= policy.max_failures or from_this_address >= policy.max_failures * ADDRESS_FACTOR:
        minutes = int(policy.window.total_seconds() // 60)
        raise LoginThrottled(f"For mange mislykkede forsøg. Vent {minutes} minutter, og prøv igen.")


def start_session(session: Session, user: User, *, now: datetime, lifetime: timedelta) -> str:
    """Create a session and return the token for the cookie (only its hash is stored)."""
    assert user.id is not None
    token = new_token()
    session.add(UserSession(token_hash=token_hash(token), user_id=user.id, created_at=now, expires_at=now + lifetime))
    user.last_login_at = now
    session.add(user)
    # Tidy up this user's expired sessions while we are here.
    session.exec(
        delete(UserSession).where(col(UserSession.user_id) == user.id).where(col(UserSession.expires_at) < now)
    )
    return token


# Built once, with bound parameters: every request of a logged-in user runs it (issue 17).
_USER_OF_SESSION = (
    select(User)
    .join(UserSession, col(UserSession.user_id) == User.id)
    .where(col(UserSession.token_hash) == bindparam("token_hash"))
    .where(col(UserSession.expires_at) > bindparam("now"))
)


def user_for_session(session: Session, token: str, *, now: datetime) -> User | None:
    """The active user behind a session cookie, or None if it is unknown, expired or disabled."""
    row = session.exec(_USER_OF_SESSION, params={"token_hash": token_hash(token), "now": now}).first()
    return row if row is not None and row.is_active else None


def end_session(session: Session, token: str) -> None:
    session.exec(delete(UserSession).where(col(UserSession.token_hash) == token_hash(token)))


def active_sessions(session: Session, user_id: int, *, now: datetime) -> list[UserSession]:
    """The user's sessions that have not expired, newest first."""
    return list(
        session.exec(
            select(UserSession)
            .where(UserSession.user_id == user_id)
            .where(UserSession.expires_at > now)
            .order_by(col(UserSession.created_at).desc())
        )
    )


def end_sessions(session: Session, user_id: int, *, keep_token: str | None = None) -> int:
    """End every session of the user (but the one whose cookie is ``keep_token``); returns how many."""
    query = delete(UserSession).where(col(UserSession.user_id) == user_id)
    if keep_token is not None:
        query = query.where(col(UserSession.token_hash) != token_hash(keep_token))
    result = session.exec(query)
    return int(result.rowcount or 0)


def is_session(token: str | None, row: UserSession) -> bool:
    """Whether ``row`` is the session behind the cookie ``token`` (to mark "this browser")."""
    return token is not None and token_hash(token) == row.token_hash
