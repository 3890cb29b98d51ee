"""The e-mail outbox: every mail the product sends, written in the transaction of its event."""

from datetime import datetime

from sqlalchemy import Column, Index, Text
from sqlmodel import Field, SQLModel

from app.domain.vocabulary import MailState
from app.models.types import EnumText, UTCDateTime


class OutboxMail(SQLModel, table=True):
    """One e-mail to one recipient, and how far its delivery has come."""

    __tablename__ = "outbox_mail"
    __table_args__ = (Index("ix_outbox_mail_due", "state", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    # Fixed when the row is written, so every attempt (and a resend after a crash) carries it.
    message_id: str = Field(max_length=200, unique=True)
    kind: str = Field(max_length=40, index=True)  # e.g. "reminder", "sent_back", "invitation"
    to_address: str = Field(max_length=254)
    subject: str = Field(max_length=300)
    text_body: str = Field(sa_column=Column(Text, nullable=False))
    html_body: str = Field(sa_column=Column(Text, nullable=False))
    state: MailState = Field(sa_column=Column(EnumText(MailState, 20), nullable=False))
    attempts: int = 0
    next_attempt_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    claimed_until: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    last_error: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    sent_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    # Set by callers that must queue a mail at most once (a scheduled reminder); unique.
    dedupe_key: str | None = Field(default=None, max_length=200, unique=True)
