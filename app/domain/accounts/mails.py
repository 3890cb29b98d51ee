"""The mails of accounts (an invitation, a password reset), queued through the e-mail outbox in
the caller's transaction: the one way account mail leaves the product."""

import re
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from app.domain.outbox import Composer, Notice, enqueue_notice
from app.domain.vocabulary import LinkPurpose, MailState
from app.models import OutboxMail, User

MAIL_KINDS = {LinkPurpose.INVITATION: "account_invitation", LinkPurpose.RESET: "account_reset"}


FORGOTTEN = "fjernet-efter-afsendelse"
_TOKEN_IN_LINK = re.compile(r"/adgangskode/[A-Za-z0-9_\-]+")


def link_path(token: str) -> str:
    return f"/adgangskode/{token}"


def send_link_mail(
    session: Session,
    composer: Composer,
    user: User,
    *,
    purpose: LinkPurpose,
    token: str,
    lifetime: timedelta,
    now: datetime,
    sent_by: str = "",
    scope: str = "",
) -> None:
    """Queue the mail that carries a single-use link to choose a password."""
    hours = int(lifetime.total_seconds() // 3600)
    context = {
        "name": user.name,
        "email": user.email,
        "role": user.role.label,
        "scope": scope,
        "sent_by": sent_by,
        "path": link_path(token),
        "valid_for": f"{hours} timer" if hours != 1 else "1 time",
    }
    enqueue_notice(session, composer, Notice(MAIL_KINDS[purpose], user.email, context), now=now)


def forget_sent_links(session: Session, *, now: datetime) -> int:
    """Cut the token out of the outbox's copy of every account mail the SMTP server has
    accepted, so that beyond the few seconds a mail waits to be sent, the database holds only
    the hash of a link's token. Returns how many mails were cleaned. A background job."""
    sent = session.exec(
        select(OutboxMail)
        .where(col(OutboxMail.kind).in_(list(MAIL_KINDS.values())))
        .where(OutboxMail.state == MailState.SENT)
        .where(col(OutboxMail.text_body).contains("/adgangskode/"))
        .where(col(OutboxMail.text_body).not_like(f"%/adgangskode/{FORGOTTEN}%"))
    ).all()
    for mail in sent:
        mail.text_body = _TOKEN_IN_LINK.sub(link_path(FORGOTTEN), mail.text_body)
        mail.html_body = _TOKEN_IN_LINK.sub(link_path(FORGOTTEN), mail.html_body)
        session.add(mail)
    session.flush()
    return len(sent)
