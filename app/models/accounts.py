"""Users, their sessions, the log of log-in attempts (for throttling), the single-use links of
invitations and password resets, and the audit log of administrative actions."""

from datetime import datetime

from sqlalchemy import Column
from sqlmodel import Field, SQLModel

from app.domain.vocabulary import AuditAction, LinkPurpose, Role
from app.models.types import EnumText, UTCDateTime


class User(SQLModel, table=True):
    __tablename__ = "user_account"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True)  # stored lower-case
    name: str = Field(max_length=200)
    # None while an invited user has not chosen a password yet.
    password_hash: str | None = Field(default=None, max_length=255)
    role: Role = Field(sa_column=Column(EnumText(Role, 20), nullable=False))
    kkr_id: int | None = Field(default=None, foreign_key="kkr.id")  # coordinator's scope (a reader's, optional)
    municipality_code: int | None = Field(default=None, foreign_key="municipality.code")  # editor's
    is_active: bool = True
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    last_login_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))


class UserSession(SQLModel, table=True):
    """A logged-in browser. The cookie holds a random token; only its hash is stored."""

    __tablename__ = "user_session"

    token_hash: str = Field(max_length=64, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    expires_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class LoginAttempt(SQLModel, table=True):
    """Kept in the database so that throttling holds across several app processes."""

    __tablename__ = "login_attempt"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, index=True)
    client_ip: str = Field(max_length=64, index=True)
    succeeded: bool
    at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))


class AccountLink(SQLModel, table=True):
    """A single-use link that lets a user choose a password: an invitation or a reset.

    The mail holds a random token; only its hash is stored, so the table gives nobody a way in.
    """

    __tablename__ = "account_link"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    purpose: LinkPurpose = Field(sa_column=Column(EnumText(LinkPurpose, 20), nullable=False))
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    expires_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    used_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))


class AuditEvent(SQLModel, table=True):
    """One administrative action on an account: who did what to whom, when, and from where."""

    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))
    action: AuditAction = Field(sa_column=Column(EnumText(AuditAction, 30), nullable=False))
    actor_id: int | None = Field(default=None, foreign_key="user_account.id")  # None: not logged in
    subject_id: int | None = Field(default=None, foreign_key="user_account.id", index=True)
    # The KKR the subject belonged to, so a coordinator sees their own KKR's events.
    kkr_id: int | None = Field(default=None, foreign_key="kkr.id", index=True)
    client_ip: str = Field(max_length=64, index=True)
    detail: str = Field(default="", max_length=500)
