"""A report's timeline: started, submitted, sent back (with the comment), reopened (with the
reason), approved, committee recorded, reminded. Shown to the municipality and the coordinator."""

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from app.domain.vocabulary import ReportEventKind
from app.models import Reminder, ReportEvent, User

# How the report was started (``reports.commands.start_report``), as the timeline says it.
STARTED_DETAILS = {"tom": "med tomme rækker", "fra sidste års status": "fra sidste års status"}


def days(count: int) -> str:
    return f"{count} dag" if count == 1 else f"{count} dage"


@dataclass(frozen=True)
class TimelineItem:
    at: datetime
    kind: ReportEventKind
    detail: str  # the comment, the reason, the committee; for a reminder, who it went to
    by: str | None  # None: nobody named (a scheduled reminder, a deleted user)

    @property
    def label(self) -> str:
        return self.kind.label


def report_timeline(
    session: Session, *, report_id: int | None, round_id: int, municipality_code: int
) -> list[TimelineItem]:
    """Every event of the municipality's report in the round, oldest first. Reminders count even
    before the report is started. Access is the caller's business (the report page's)."""
    items = []
    if report_id is not None:
        for event, name in session.exec(
            select(ReportEvent, User.name)
            .outerjoin(User, col(User.id) == ReportEvent.by_id)
            .where(ReportEvent.report_id == report_id)
            .order_by(col(ReportEvent.id))
        ):
            detail = (
                STARTED_DETAILS.get(event.detail, event.detail)
                if event.event is ReportEventKind.STARTED
                else event.detail
            )
            items.append(TimelineItem(event.at, event.event, detail, name))
    for reminder, name in session.exec(
        select(Reminder, User.name)
        .outerjoin(User, col(User.id) == Reminder.by_id)
        .where(Reminder.round_id == round_id)
        .where(Reminder.municipality_code == municipality_code)
        .order_by(col(Reminder.id))
    ):
        if reminder.days_before is None:
            how = "sendt af koordinatoren"
        elif reminder.days_before < 0:
            how = f"planlagt, {days(-reminder.days_before)} efter fristen"
        else:
            how = f"planlagt, {days(reminder.days_before)} før fristen"
        to = f" til {reminder.recipients}" if reminder.recipients else " (kommunen har ingen redaktører med e-mail)"
        items.append(TimelineItem(reminder.sent_at, ReportEventKind.REMINDED, how + to, name))
    return sorted(items, key=lambda item: item.at)


def latest_comment(items: list[TimelineItem]) -> TimelineItem | None:
    """The comment of the last time the report was sent back, if that is where it stands."""
    for item in reversed(items):
        if item.kind is ReportEventKind.SENT_BACK:
            return item
        if item.kind in (ReportEventKind.SUBMITTED, ReportEventKind.REOPENED, ReportEventKind.APPROVED):
            return None
    return None
