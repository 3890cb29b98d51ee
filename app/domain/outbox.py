"""The e-mail outbox: a mail is queued in the same transaction as the event that causes it.

Using it (any command that must tell someone something)::

    from app.domain.outbox import enqueue_mail

    with database.write() as session:
        ...                                   # the event itself: a user invited, a report sent back
        enqueue_mail(session, to="a@b.dk", subject="...", text="...", html="<p>...</p>",
                     kind="invitation", now=now)

The mail is then committed or rolled back together with the event: no event without its mail,
no mail for an event that did not happen. ``app.mail.sender.send_due_mail`` (run by
``app.worker`` inside ``fremdrift serve`` or ``fremdrift worker``) delivers it later.
``app.mail.compose.render_mail(kind, context)`` renders the Danish plain-text and HTML bodies from
``templates/mail/<kind>.txt`` and ``<kind>.html``; or pass a ``Composer`` and a ``Notice`` to
``enqueue_notice`` so that domain code never renders anything itself.

The life of a row (``MailState``): PENDING -> (claimed) SENDING -> SENT, or back to PENDING with
a later ``next_attempt_at`` after a temporary failure (backoff 1, 2, 4 ... minutes, at most an
hour), or FAILED after a permanent refusal (SMTP 5xx) or ``MAX_ATTEMPTS`` attempts.

What is guaranteed:
- A mail is marked SENT only after the SMTP server accepted it (answered 250 to DATA).
- Claiming commits the row as SENDING with a lease (``claimed_until``) before anything is sent,
  so no other sender, in this process or another, picks it up while the lease runs. On
  PostgreSQL the claim is ``SELECT ... FOR UPDATE SKIP LOCKED``, so concurrent senders take
  disjoint rows without waiting; on SQLite, writers are serialised (``BEGIN IMMEDIATE``).
- A sender that dies after claiming leaves the row SENDING; when the lease has run out the row
  is claimed again and sent. If it died before the server accepted the mail, the mail is sent
  once. If it died after the server accepted it and before its own commit of SENT (a window of
  one small write), the mail is sent again, with the same ``Message-ID`` header, so mail
  clients that drop duplicates by Message-ID show it once. SMTP cannot rule this one case out.
"""

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import parseaddr
from typing import Any

from sqlalchemy import and_, or_, update
from sqlmodel import Session, col, select

from app.domain.errors import InvalidInput
from app.domain.text import MAX_EMAIL_LENGTH
from app.domain.vocabulary import MailState
from app.models import OutboxMail

MAX_ATTEMPTS = 10
FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(hours=1)
MESSAGE_ID_DOMAIN = "fremdrift"


@dataclass(frozen=True)
class ComposedMail:
    """A rendered mail: subject, plain text and HTML."""

    subject: str
    text: str
    html: str


@dataclass(frozen=True)
class Notice:
    """What a domain command wants to tell one recipient, before it is rendered as a mail."""

    kind: str
    to: str
    context: Mapping[str, Any] = field(default_factory=dict)


# Renders a Notice (``app.mail.compose.Composer`` is one); passed in by the caller, so the
# domain decides who is told what, and never how it looks.
Composer = Callable[[Notice], ComposedMail]


def _check_address(to: str) -> str:
    address = to.strip()
    _name, parsed = parseaddr(address)
    if not parsed or parsed != address or "@" not in parsed or len(address) > MAX_EMAIL_LENGTH:
        raise InvalidInput(f"{to!r} er ikke en gyldig e-mailadresse.", field="to")
    return address


def new_message_id() -> str:
    return f"<{uuid.uuid4().hex}@{MESSAGE_ID_DOMAIN}>"


def enqueue_mail(
    session: Session,
    *,
    to: str,
    subject: str,
    text: str,
    html: str,
    kind: str,
    now: datetime,
    dedupe_key: str | None = None,
) -> OutboxMail | None:
    """Queue one mail in the caller's transaction; it is due at once.

    With a ``dedupe_key``, a mail already queued under that key (in any state) is not queued
    again and None is returned: that is how a scheduled reminder is sent once.
    """
    address = _check_address(to)
    if dedupe_key is not None:
        existing = session.exec(select(OutboxMail.id).where(OutboxMail.dedupe_key == dedupe_key)).first()
        if existing is not None:
            return None
    mail = OutboxMail(
        message_id=new_message_id(),
        kind=kind,
        to_address=address,
        subject=subject.replace("\n", " ").strip()[:300],
        text_body=text,
        html_body=html,
        state=MailState.PENDING,
        next_attempt_at=now,
        created_at=now,
        dedupe_key=dedupe_key,
    )
    session.add(mail)
    session.flush()
    return mail


def enqueue_notice(
    session: Session,
    composer: Composer,
    notice: Notice,
    *,
    now: datetime,
    dedupe_key: str | None = None,
) -> OutboxMail | None:
    """Render ``notice`` with ``composer`` and queue it (see ``enqueue_mail``)."""
    mail = composer(notice)
    return enqueue_mail(
        session,
        to=notice.to,
        subject=mail.subject,
        text=mail.text,
        html=mail.html,
        kind=notice.kind,
        now=now,
        dedupe_key=dedupe_key,
    )


# ---------------------------------------------------------------------------- the sender's steps


def claim_due_mail(session: Session, *, now: datetime, limit: int, lease: timedelta) -> list[OutboxMail]:
    """Claim up to ``limit`` due mails for one sender: PENDING ones whose time has come, and
    SENDING ones whose sender's lease ran out (it died). Commit right after, before sending."""
    due = or_(
        and_(col(OutboxMail.state) == MailState.PENDING, col(OutboxMail.next_attempt_at) <= now),
        and_(col(OutboxMail.state) == MailState.SENDING, col(OutboxMail.claimed_until) < now),
    )
    mails = list(
        session.exec(
            select(OutboxMail).where(due).order_by(col(OutboxMail.id)).limit(limit).with_for_update(skip_locked=True)
        )
    )
    for mail in mails:
        mail.state = MailState.SENDING
        mail.claimed_until = now + lease
        mail.attempts += 1
        session.add(mail)
    session.flush()
    return mails


def mark_sent(session: Session, mail_id: int, *, now: datetime) -> None:
    """Record that the SMTP server accepted the mail."""
    session.execute(
        update(OutboxMail)
        .where(col(OutboxMail.id) == mail_id)
        .values(state=MailState.SENT, sent_at=now, claimed_until=None, last_error="")
    )


def retry_delay(attempts: int) -> timedelta:
    """Backoff after the ``attempts``-th failed attempt: 1, 2, 4 ... minutes, at most an hour."""
    delay: timedelta = FIRST_RETRY * 2 ** max(attempts - 1, 0)
    return min(delay, LONGEST_RETRY)


def mark_failed(session: Session, mail: OutboxMail, *, now: datetime, error: str, permanent: bool) -> MailState:
    """Record a failed attempt: try again later, or give up when the refusal was permanent or
    the attempts are used up. Returns the mail's new state."""
    give_up = permanent or mail.attempts >= MAX_ATTEMPTS
    state = MailState.FAILED if give_up else MailState.PENDING
    session.execute(
        update(OutboxMail)
        .where(col(OutboxMail.id) == mail.id)
        .values(
            state=state,
            claimed_until=None,
            last_error=error[:2000],
            next_attempt_at=now if give_up else now + retry_delay(mail.attempts),
        )
    )
    return state


def release_unsent(session: Session, mail_ids: list[int], *, now: datetime, error: str) -> None:
    """Hand claimed mails back untried (the server could not be reached): due again after the
    first backoff step. The attempt still counts, so an unreachable server ends in FAILED."""
    for mail in session.exec(select(OutboxMail).where(col(OutboxMail.id).in_(mail_ids))):
        mark_failed(session, mail, now=now, error=error, permanent=False)


def find_mail(session: Session, mail_id: int) -> OutboxMail | None:
    return session.get(OutboxMail, mail_id)
