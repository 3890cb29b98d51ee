"""Who is told what by e-mail about a report: the municipality's active editors, through the
outbox, in the transaction of the event that caused the mail."""

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from app.domain.outbox import Composer, Notice, enqueue_notice
from app.domain.vocabulary import Role
from app.models import User


def editor_addresses(session: Session, municipality_code: int) -> list[str]:
    """The e-mail addresses of the municipality's active editors, sorted."""
    return list(
        session.exec(
            select(User.email)
            .where(User.role == Role.EDITOR)
            .where(User.municipality_code == municipality_code)
            .where(col(User.is_active).is_(True))
            .order_by(col(User.email))
        )
    )


def notify_editors(
    session: Session,
    composer: Composer,
    municipality_code: int,
    *,
    kind: str,
    context: Mapping[str, Any],
    now: datetime,
    dedupe_prefix: str | None = None,
) -> list[str]:
    """Queue one mail of ``kind`` to each editor of the municipality; returns the addresses.
    With ``dedupe_prefix``, each mail's dedupe key is the prefix plus the address."""
    addresses = editor_addresses(session, municipality_code)
    for address in addresses:
        key = f"{dedupe_prefix}{address}" if dedupe_prefix is not None else None
        enqueue_notice(session, composer, Notice(kind, address, context), now=now, dedupe_key=key)
    return addresses
