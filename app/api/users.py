"""The user administration's reads for scripts: the accounts an admin or coordinator manages, and
the audit log, with the same reach as the pages (``access.may_manage_account``)."""

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel

from app.deps import CurrentActor, ReadSession
from app.domain.accounts.admin import list_users
from app.domain.accounts.audit import audit_log
from app.domain.vocabulary import AuditAction, Role, UserState

router = APIRouter(tags=["brugere"])


class UserOut(BaseModel):
    id: int
    email: str
    name: str
    role: Role
    scope: str
    state: UserState
    last_login_at: datetime | None


class AuditEventOut(BaseModel):
    at: datetime
    action: AuditAction
    who: str
    user_id: int | None
    user_email: str | None
    detail: str
    client_ip: str


@router.get("/users")
def users(session: ReadSession, actor: CurrentActor, q: str = "") -> list[UserOut]:
    """The accounts you manage (an admin: all; a KKR coordinator: the KKR's editors and readers)."""
    return [
        UserOut(
            id=row.user.id or 0,
            email=row.user.email,
            name=row.user.name,
            role=row.user.role,
            scope=row.scope,
            state=row.state,
            last_login_at=row.user.last_login_at,
        )
        for row in list_users(session, actor, search=q[:100])
    ]


@router.get("/users/audit")
def audit(session: ReadSession, actor: CurrentActor) -> list[AuditEventOut]:
    """The newest 200 events of the user administration within your reach."""
    return [
        AuditEventOut(
            at=row.event.at,
            action=row.event.action,
            who=row.who,
            user_id=row.event.subject_id,
            user_email=row.subject_email,
            detail=row.event.detail,
            client_ip=row.event.client_ip,
        )
        for row in audit_log(session, actor)
    ]
