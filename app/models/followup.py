"""What the coordinator's follow-up leaves behind: the reminders sent to each municipality."""

from datetime import datetime

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.types import UTCDateTime


class Reminder(SQLModel, table=True):
    """One reminder to one municipality's editors in one round: by hand, or a scheduled step
    (``days_before``; unique, so each step reaches a municipality once)."""

    __tablename__ = "reminder"
    __table_args__ = (UniqueConstraint("round_id", "municipality_code", "days_before"),)

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="reporting_round.id", index=True)
    municipality_code: int = Field(foreign_key="municipality.code", index=True)
    days_before: int | None = None  # the schedule's step (-1: the day after the deadline); None: by hand
    sent_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    by_id: int | None = Field(default=None, foreign_key="user_account.id")  # None: the schedule
    recipients: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
