"""Single-use links to choose a password: the invitation of a new user and the reset of a
forgotten password ("Glemt adgangskode?").

The mail holds a random token and the table only its hash. A link works once, until it expires
(72 hours for an invitation, 1 hour for a reset by default), and never for a deactivated
account; choosing a password through it ends every session of the account.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlmodel import Session, col, select

from app.domain.accounts.audit import count_since, record
from app.domain.accounts.login import end_sessions
from app.domain.accounts.mails import send_link_mail
from app.domain.accounts.users import EMAIL_PATTERN, account_scope, find_user_by_email, normalise_email, scope_label
from app.domain.errors import DomainError, InvalidInput
from app.domain.outbox import Composer
from app.domain.text import MAX_EMAIL_LENGTH
from app.domain.vocabulary import AuditAction, LinkPurpose
from app.models import AccountLink, User
from app.security.passwords import HashingBusy, hash_password, password_problem
from app.security.tokens import new_token, token_hash

THROTTLE_WINDOW = timedelta(hours=1)


@dataclass(frozen=True)
class LinkPolicy:
    """How long links last and how many may be asked for (per hour), from the settings."""

    invitation_lifetime: timedelta
    reset_lifetime: timedelta
    resets_per_email: int = 3
    resets_per_address: int = 20
    invitations_per_actor: int = 100
    invitations_per_user: int = 3


class LinkInvalid(DomainError):
    """The link cannot be used: unknown, used, expired, or the account is deactivated."""

    status_code = 410


class TooManyRequests(DomainError):
    """Too many links asked for within the hour: refused, nothing changes."""

    status_code = 429


UNKNOWN_LINK = (
    "Linket virker ikke. Det kan være skrevet forkert af, eller der er sendt et nyere link. "
    "Bed om et nyt med »Glemt adgangskode?«."
)
USED_LINK = "Linket er allerede brugt. Log ind, eller bed om et nyt link med »Glemt adgangskode?«."
EXPIRED_LINK = "Linket er udløbet. Bed om et nyt med »Glemt adgangskode?«, eller bed den, der inviterede dig."
DEACTIVATED = "Kontoen er deaktiveret. Kontakt din KKR-koordinator eller en administrator."
RESET_ANSWER = (
    "Hvis der findes en aktiv konto med den adresse, har vi sendt en mail med et link til at vælge "
    "en ny adgangskode. Linket virker i {hours}."
)


def issue_link(session: Session, user: User, purpose: LinkPurpose, *, now: datetime, lifetime: timedelta) -> str:
    """A new link for ``user``; earlier unused links of theirs stop working. Returns the token."""
    assert user.id is not None
    forget_links(session, user.id)
    token = new_token()
    session.add(
        AccountLink(
            token_hash=token_hash(token),
            user_id=user.id,
            purpose=purpose,
            created_at=now,
            expires_at=now + lifetime,
        )
    )
    session.flush()
    return token


def forget_links(session: Session, user_id: int) -> None:
    """Unused links of a user stop working (a newer one is sent, or the account is reactivated)."""
    unused = delete(AccountLink).where(col(AccountLink.user_id) == user_id).where(col(AccountLink.used_at).is_(None))
    session.exec(unused)


@dataclass(frozen=True)
class ValidLink:
    link: AccountLink
    user: User


def find_valid_link(session: Session, token: str, *, now: datetime) -> ValidLink:
    """The link behind ``token`` and its user, or ``LinkInvalid`` saying why not."""
    link = session.exec(select(AccountLink).where(AccountLink.token_hash == token_hash(token))).first()
    if link is None:
        raise LinkInvalid(UNKNOWN_LINK)
    user = session.get(User, link.user_id)
    assert user is not None
    if not user.is_active:
        raise LinkInvalid(DEACTIVATED)
    if link.used_at is not None:
        raise LinkInvalid(USED_LINK)
    if link.expires_at <= now:
        raise LinkInvalid(EXPIRED_LINK)
    return ValidLink(link, user)


def new_password_hash(password: str, repeated: str, *, user: User) -> str:
    """The hash of a new password for ``user``, if it passes the policy and was typed the same
    twice. Argon2 is slow (a fifth of a second): call it outside any write transaction."""
    if problem := password_problem(password, email=user.email, name=user.name):
        raise InvalidInput(problem, field="password")
    if password != repeated:
        raise InvalidInput("De to adgangskoder er ikke ens. Skriv den samme to gange.", field="password_again")
    try:
        return hash_password(password)
    except HashingBusy as busy:
        raise TooManyRequests(busy.message) from None


def checked_link_password(session: Session, token: str, *, password: str, repeated: str, now: datetime) -> str:
    """The first, read-only step of choosing a password by link: the link works and the
    password passes; returns its hash for ``choose_password``."""
    return new_password_hash(password, repeated, user=find_valid_link(session, token, now=now).user)


def choose_password(session: Session, token: str, *, password_hash: str, now: datetime, client_ip: str) -> User:
    """Set the password of the link's user (the link checked again: it may have been used
    meanwhile). The link is used up, every session of the user ends (the caller logs this
    browser in anew), and the audit log says so."""
    found = find_valid_link(session, token, now=now)
    user, link = found.user, found.link
    assert user.id is not None
    user.password_hash = password_hash
    link.used_at = now
    session.add_all([user, link])
    session.flush()
    forget_links(session, user.id)
    end_sessions(session, user.id)
    action = AuditAction.PASSWORD_CHOSEN if link.purpose is LinkPurpose.INVITATION else AuditAction.RESET_DONE
    record(
        session,
        action,
        now=now,
        client_ip=client_ip,
        actor_id=user.id,
        subject_id=user.id,
        kkr_id=account_scope(session, user).kkr_id,
    )
    return user


def request_reset(
    session: Session, email: str, *, now: datetime, client_ip: str, policy: LinkPolicy, composer: Composer
) -> str:
    """Send a reset link if an active account has this address; returns the answer to show,
    which is the same whether or not it has. Throttled per address typed and per client
    address: too many requests in an hour are refused and change nothing."""
    address = normalise_email(email)
    if not EMAIL_PATTERN.match(address) or len(address) > MAX_EMAIL_LENGTH:
        raise InvalidInput("Skriv den e-mailadresse, du logger ind med.", field="email")
    since = now - THROTTLE_WINDOW
    if (
        count_since(session, AuditAction.RESET_REQUESTED, since, detail=address) >= policy.resets_per_email
        or count_since(session, AuditAction.RESET_REQUESTED, since, client_ip=client_ip) >= policy.resets_per_address
    ):
        raise TooManyRequests("Der er bedt om for mange nye adgangskoder. Vent en time, og prøv igen.")

    user = find_user_by_email(session, address)
    if user is not None and user.is_active:
        lifetime = policy.reset_lifetime
        token = issue_link(session, user, LinkPurpose.RESET, now=now, lifetime=lifetime)
        send_link_mail(session, composer, user, purpose=LinkPurpose.RESET, token=token, lifetime=lifetime, now=now)
    record(
        session,
        AuditAction.RESET_REQUESTED,
        now=now,
        client_ip=client_ip,
        actor_id=None,
        subject_id=user.id if user else None,
        kkr_id=account_scope(session, user).kkr_id if user else None,
        detail=address,
    )
    hours = int(policy.reset_lifetime.total_seconds() // 3600)
    return RESET_ANSWER.format(hours="1 time" if hours == 1 else f"{hours} timer")


def send_invitation(
    session: Session,
    user: User,
    *,
    now: datetime,
    client_ip: str,
    actor_id: int | None,
    sent_by: str,
    policy: LinkPolicy,
    composer: Composer,
) -> None:
    """Queue an invitation for ``user`` (earlier links stop working) and log it. Throttled per
    sender and per invited user, so a form cannot be used to flood anyone's inbox."""
    assert user.id is not None
    since = now - THROTTLE_WINDOW
    if actor_id is not None and (
        count_since(session, AuditAction.INVITED, since, actor_id=actor_id) >= policy.invitations_per_actor
    ):
        raise TooManyRequests(
            f"Du har sendt {policy.invitations_per_actor} invitationer inden for den seneste time. "
            "Vent lidt, og prøv igen."
        )
    if count_since(session, AuditAction.INVITED, since, subject_id=user.id) >= policy.invitations_per_user:
        raise TooManyRequests(f"{user.email} har fået {policy.invitations_per_user} invitationer den seneste time.")
    lifetime = policy.invitation_lifetime
    token = issue_link(session, user, LinkPurpose.INVITATION, now=now, lifetime=lifetime)
    send_link_mail(
        session,
        composer,
        user,
        purpose=LinkPurpose.INVITATION,
        token=token,
        lifetime=lifetime,
        now=now,
        sent_by=sent_by,
        scope=scope_label(session, user),
    )
    record(
        session,
        AuditAction.INVITED,
        now=now,
        client_ip=client_ip,
        actor_id=actor_id,
        subject_id=user.id,
        kkr_id=account_scope(session, user).kkr_id,
        detail=user.email,
    )
