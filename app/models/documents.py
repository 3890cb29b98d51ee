"""What leaves the system: the coordinator's texts, the published snapshot of a round, and the
kept renders of the reports with the queue that keeps them fresh."""

from datetime import datetime

from sqlalchemy import Column, LargeBinary, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.types import UTCDateTime


class RoundText(SQLModel, table=True):
    """One of the coordinator's texts for a round's consolidated report (summary, observations
    per focus area, proposed adjustments, new recommendations). Plain text with paragraphs."""

    __tablename__ = "round_text"
    __table_args__ = (UniqueConstraint("round_id", "section"),)

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="reporting_round.id", index=True)
    section: str = Field(max_length=120)  # "summary", "adjustments", "new", "area:<focus area key>"
    text: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    version: int = 1  # optimistic lock, as for the rows
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    updated_by_id: int | None = Field(default=None, foreign_key="user_account.id")


class RoundSnapshot(SQLModel, table=True):
    """The data of a published round's reports, frozen: the published report is produced from
    this, never from the live rows again."""

    __tablename__ = "round_snapshot"

    round_id: int = Field(foreign_key="reporting_round.id", primary_key=True)
    data: str = Field(sa_column=Column(Text, nullable=False))  # JSON of documents.shapes.RoundDocuments
    data_key: str = Field(max_length=64)
    published_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    published_by_id: int | None = Field(default=None, foreign_key="user_account.id")


class ReportRender(SQLModel, table=True):
    """A finished PDF of one report, keyed by a hash of exactly the data it shows."""

    __tablename__ = "report_render"
    __table_args__ = (UniqueConstraint("round_id", "subject", "data_key"),)

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="reporting_round.id", index=True)
    subject: str = Field(max_length=40)  # "kkr" or "municipality:<code>"
    data_key: str = Field(max_length=64)
    pdf: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    size: int
    pages: int
    render_ms: int
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))


class RenderRequest(SQLModel, table=True):
    """A report whose data changed and whose PDF should be rendered again, once the changes have
    settled (``due_at``). A worker claims it until ``claimed_until``; one row per report."""

    __tablename__ = "render_request"
    __table_args__ = (UniqueConstraint("round_id", "subject"),)

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="reporting_round.id", index=True)
    subject: str = Field(max_length=40)
    requested_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    first_requested_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    due_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))
    claimed_until: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    attempts: int = 0
    last_error: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
