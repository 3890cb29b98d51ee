"""The tables. Importing this package registers every table on ``SQLModel.metadata``."""

from sqlmodel import SQLModel

# Named constraints, so later migrations can drop or alter them (SQLite batch mode needs names).
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# The table modules must be imported after the naming convention is in place.
from app.models.accounts import AccountLink, AuditEvent, LoginAttempt, User, UserSession  # noqa: E402
from app.models.catalogue import (  # noqa: E402
    Catalogue,
    FocusArea,
    Guideline,
    Kkr,
    Municipality,
    Recommendation,
    RecommendationReplacement,
)
from app.models.documents import RenderRequest, ReportRender, RoundSnapshot, RoundText  # noqa: E402
from app.models.followup import Reminder  # noqa: E402
from app.models.outbox import OutboxMail  # noqa: E402
from app.models.reporting import (  # noqa: E402
    ReportEvent,
    ReportingRound,
    StatusChange,
    StatusEntry,
    StatusReport,
)

__all__ = [
    "AccountLink",
    "AuditEvent",
    "Catalogue",
    "FocusArea",
    "Guideline",
    "Kkr",
    "LoginAttempt",
    "Municipality",
    "OutboxMail",
    "Recommendation",
    "RecommendationReplacement",
    "Reminder",
    "RenderRequest",
    "ReportEvent",
    "ReportRender",
    "ReportingRound",
    "RoundSnapshot",
    "RoundText",
    "StatusChange",
    "StatusEntry",
    "StatusReport",
    "User",
    "UserSession",
]
