"""The mails of accounts (an invitation, a password reset), queued through the e-mail outbox in
the caller's transaction: the one way account mail leaves the product."""

from datetime import datetime, timedelta

from sqlmodel import Session

from app.domain.outbox import Composer, Notice, enqueue_notice
from app.domain.vocabulary import LinkPurpose
from app.models import User

MAIL_KINDS = {LinkPurpose.INVITATION: "account_invitation", LinkPurpose.RESET: "account_reset"}


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
