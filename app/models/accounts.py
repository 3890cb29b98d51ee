"""Users, their sessions and the log of log-in attempts (for throttling)."""

from datetime import datetime

from sqlalchemy import Column
from sqlmodel import Field, SQLModel

from app.domain.vocabulary import Role
from app.models.types import EnumText, UTCDateTime


class User(SQLModel, table=True):
    __tablename__ = "user_account"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True)  # stored lower-case
    name: str = Field(max_length=200)
    password_hash: str = Field(max_length=255)
    role: Role = Field(sa_column=Column(EnumText(Role, 20), nullable=False))
    kkr_id: int | None = Field(default=None, foreign_key="kkr.id")  # coordinator's scope
    municipality_code: int | None = Field(default=None, foreign_key="municipality.code")  # editor's
    is_active: bool = True
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


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
