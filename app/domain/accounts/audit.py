"""The audit log: every administrative action on an account, with who, when, what and from
which address. Written in the same transaction as the action, so neither exists without the
other."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from app.domain.access import Actor, manages_accounts, may_read_audit
from app.domain.errors import Forbidden
from app.domain.vocabulary import AuditAction, Role
from app.models import AuditEvent, User

MAX_DETAIL_LENGTH = 500
CLI_ADDRESS = "kommandolinje"  # where an action taken with `fremdrift users ...` came from


def record(
    session: Session,
    action: AuditAction,
    *,
    now: datetime,
    client_ip: str,
    actor_id: int | None,
    subject_id: int | None,
    kkr_id: int | None,
    detail: str = "",
) -> AuditEvent:
    """Write one row of the audit log (in the caller's transaction)."""
    event = AuditEvent(
        at=now,
        action=action,
        actor_id=actor_id,
        subject_id=subject_id,
        kkr_id=kkr_id,
        client_ip=client_ip[:64],
        detail=detail[:MAX_DETAIL_LENGTH],
    )
    session.add(event)
    session.flush()
    return event


def count_since(
    session: Session,
    action: AuditAction,
    since: datetime,
    *,
    client_ip: str | None = None,
    actor_id: int | None = None,
    subject_id: int | None = None,
    detail: str | None = None,
) -> int:
    """How many ``action`` events since ``since`` match the given columns: what throttling counts,
    kept in the database so it holds across several app processes."""
    query = (
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action).where(AuditEvent.at >= since)
    )
    if client_ip is not None:
        query = query.where(AuditEvent.client_ip == client_ip[:64])
    if actor_id is not None:
        query = query.where(AuditEvent.actor_id == actor_id)
    if subject_id is not None:
        query = query.where(AuditEvent.subject_id == subject_id)
    if detail is not None:
        query = query.where(AuditEvent.detail == detail)
    return session.exec(query).one()


@dataclass(frozen=True)
class AuditRow:
    """One line of the audit log as a reader sees it."""

    event: AuditEvent
    actor_name: str | None  # None: not logged in (a reset request) or the command line
    subject_name: str | None
    subject_email: str | None

    @property
    def who(self) -> str:
        if self.actor_name is not None:
            return self.actor_name
        return "Kommandolinjen" if self.event.client_ip == CLI_ADDRESS else "Ikke logget ind"


def audit_log(session: Session, actor: Actor, *, subject_id: int | None = None, limit: int = 200) -> list[AuditRow]:
    """The newest events the actor may read (``may_read_audit``): all for an admin, their own
    KKR's for a coordinator; optionally only those about one account."""
    if not manages_accounts(actor):
        raise Forbidden("Kun administratorer og KKR-koordinatorer kan se loggen over brugeradministration.")
    doer, subject = aliased(User), aliased(User)
    query = (
        select(AuditEvent, doer.name, subject.name, subject.email)
        .outerjoin(doer, col(doer.id) == AuditEvent.actor_id)
        .outerjoin(subject, col(subject.id) == AuditEvent.subject_id)
        .order_by(col(AuditEvent.at).desc(), col(AuditEvent.id).desc())
        .limit(limit)
    )
    if actor.role is not Role.ADMIN:
        # The SQL form of may_read_audit for a coordinator; checked row by row below as well.
        query = query.where(AuditEvent.kkr_id == actor.kkr_id)
    if subject_id is not None:
        query = query.where(AuditEvent.subject_id == subject_id)
    return [
        AuditRow(event, actor_name, subject_name, subject_email)
        for event, actor_name, subject_name, subject_email in session.exec(query)
        if may_read_audit(actor, event.kkr_id)
    ]
