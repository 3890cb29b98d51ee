"""Reporting rounds, status reports, their rows and the history of every change."""

from datetime import date, datetime

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.domain.vocabulary import Colour, ReportEventKind, ReportState, RoundState
from app.models.types import EnumText, UTCDateTime


class ReportingRound(SQLModel, table=True):
    """One KKR's collection of status reports for one status year (opfølgningsrunde)."""

    __tablename__ = "reporting_round"
    __table_args__ = (UniqueConstraint("kkr_id", "year"),)

    id: int | None = Field(default=None, primary_key=True)
    kkr_id: int = Field(foreign_key="kkr.id", index=True)
    catalogue_id: int = Field(foreign_key="catalogue.id", index=True)
    year: int  # the status year reported on, e.g. 2015 for the round of January 2016
    opens_on: date
    deadline: date
    state: RoundState = Field(sa_column=Column(EnumText(RoundState, 20), nullable=False))
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    # The reminder schedule: days before the deadline, comma-separated; -1 is the day after it.
    reminder_days: str = Field(default="14,3,-1", max_length=100, sa_column_kwargs={"server_default": "14,3,-1"})


class StatusReport(SQLModel, table=True):
    """One municipality's statuses for one round (statusrapport)."""

    __tablename__ = "status_report"
    __table_args__ = (UniqueConstraint("round_id", "municipality_code"),)

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="reporting_round.id", index=True)
    municipality_code: int = Field(foreign_key="municipality.code", index=True)
    state: ReportState = Field(sa_column=Column(EnumText(ReportState, 20), nullable=False))
    # Bumped by every change to the report's own fields (submit, reopen, committee).
    version: int = 1
    started_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    started_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    submitted_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    submitted_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    committee_name: str = Field(default="", max_length=200)
    committee_date: date | None = None
    agenda_url: str = Field(default="", max_length=500)
    # The status year the rows were carried over from (the latest earlier report), if any.
    carried_from_year: int | None = None


class StatusEntry(SQLModel, table=True):
    """One recommendation's status in one report: the colour, the remark and who set them."""

    __tablename__ = "status_entry"
    __table_args__ = (UniqueConstraint("report_id", "recommendation_id"),)

    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(foreign_key="status_report.id", index=True)
    recommendation_id: int = Field(foreign_key="recommendation.id", index=True)
    colour: Colour | None = Field(default=None, sa_column=Column(EnumText(Colour, 10)))
    remark: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    opted_out: bool = False  # "fravalgt": a "kan" recommendation deliberately not chosen
    opt_out_reason: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    # False while the row holds last year's values that nobody has confirmed or changed.
    confirmed: bool = True
    # Optimistic lock: every save names the version it was based on.
    version: int = 1
    updated_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    updated_by_id: int | None = Field(default=None, foreign_key="user_account.id")


class StatusChange(SQLModel, table=True):
    """One field of one row changed by one save: who, when, old and new value."""

    __tablename__ = "status_change"

    id: int | None = Field(default=None, primary_key=True)
    entry_id: int = Field(foreign_key="status_entry.id", index=True)
    version: int  # the entry's version after the save
    field: str = Field(max_length=30)
    old_value: str | None = Field(default=None, sa_column=Column(Text))
    new_value: str | None = Field(default=None, sa_column=Column(Text))
    changed_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    changed_by_id: int | None = Field(default=None, foreign_key="user_account.id")


class ReportEvent(SQLModel, table=True):
    """Something that happened to a whole report: started, submitted, reopened, dealt with."""

    __tablename__ = "report_event"

    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(foreign_key="status_report.id", index=True)
    event: ReportEventKind = Field(sa_column=Column(EnumText(ReportEventKind, 30), nullable=False))
    detail: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    by_id: int | None = Field(default=None, foreign_key="user_account.id")
