"""The coordinator's follow-up overview of a round: every municipality of the KKR with its
state, rows filled, unconfirmed rows, who submitted when, last activity and the reminders sent.

``follow_up`` is the one function behind the page and the API. It reads the round in a fixed
number of aggregate queries, whatever the number of municipalities.
"""

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import case, func
from sqlmodel import Session, col, select

from app.domain.access import Action, Actor, KkrScope, is_allowed
from app.domain.errors import InvalidInput
from app.domain.rounds.lifecycle import (
    close_refused,
    get_managed_round,
    local_date,
    open_refused,
    parse_reminder_days,
    reopen_round_refused,
)
from app.domain.rounds.reminders import reminder_refused, step_date
from app.domain.text import danish_sort_key
from app.domain.vocabulary import FollowUpState, MailState, ReportState
from app.models import (
    Catalogue,
    Kkr,
    Municipality,
    OutboxMail,
    Recommendation,
    Reminder,
    ReportEvent,
    ReportingRound,
    StatusEntry,
    StatusReport,
    User,
)

SORTS = ("name", "state", "filled", "activity", "submitted")
_STATE_ORDER = {state: index for index, state in enumerate(FollowUpState)}
_BY_REPORT_STATE = {
    ReportState.IN_PROGRESS: FollowUpState.IN_PROGRESS,
    ReportState.SUBMITTED: FollowUpState.SUBMITTED,
    ReportState.SENT_BACK: FollowUpState.SENT_BACK,
    ReportState.APPROVED: FollowUpState.APPROVED,
}
SUBMITTED_STATES = frozenset({FollowUpState.SUBMITTED, FollowUpState.APPROVED, FollowUpState.COMMITTEE})


def follow_up_state(report: StatusReport | None) -> FollowUpState:
    """A report's place in the overview: a submitted or approved report that the council has
    dealt with counts as "politisk behandlet"."""
    if report is None:
        return FollowUpState.NOT_STARTED
    if report.state.is_submitted and report.committee_date is not None:
        return FollowUpState.COMMITTEE
    return _BY_REPORT_STATE[report.state]


@dataclass(frozen=True)
class ReminderSent:
    sent_at: datetime
    days_before: int | None  # None: sent by hand
    by: str | None  # None: the schedule
    recipients: list[str]
    mail: dict[MailState, int]  # the state of its mails in the outbox
    error: str = ""  # the SMTP server's last refusal or fault, for a mail not yet sent

    @property
    def delivered(self) -> bool:
        return bool(self.recipients) and set(self.mail) == {MailState.SENT}


@dataclass(frozen=True)
class FollowUpRow:
    municipality: Municipality
    state: FollowUpState
    report_id: int | None
    filled: int
    total: int
    unconfirmed: int
    submitted_at: datetime | None
    submitted_by: str | None
    last_activity: datetime | None
    reminders: list[ReminderSent] = field(default_factory=list)

    @property
    def submitted(self) -> bool:
        return self.state in SUBMITTED_STATES


@dataclass(frozen=True)
class ScheduleStep:
    days_before: int
    on: date
    reminded: int  # municipalities that have had this step


@dataclass(frozen=True)
class FollowUp:
    round: ReportingRound
    kkr: Kkr
    catalogue: Catalogue
    today: date
    rows: list[FollowUpRow]  # filtered and sorted as asked
    counts: dict[FollowUpState, int]  # over every municipality, whatever the filter
    total: int  # municipalities in the round
    schedule: list[ScheduleStep]
    may_manage: bool
    may_open: bool
    may_close: bool
    may_reopen: bool
    may_remind: bool
    state_filter: FollowUpState | None = None
    sort: str = "name"

    @property
    def submitted(self) -> int:
        return sum(self.counts[state] for state in SUBMITTED_STATES)

    @property
    def days_to_deadline(self) -> int:
        """Days left until the deadline (0 on the day itself); negative once it has passed."""
        return (self.round.deadline - self.today).days

    @property
    def not_submitted(self) -> int:
        return self.total - self.submitted


def parse_state_filter(value: str | None) -> FollowUpState | None:
    if not value:
        return None
    try:
        return FollowUpState(value)
    except ValueError:
        raise InvalidInput(f"Ukendt status {value!r}.", field="state") from None


def _sort_key(sort: str) -> Callable[[FollowUpRow], Any]:
    if sort == "state":
        return lambda row: (_STATE_ORDER[row.state], danish_sort_key(row.municipality.name))
    if sort == "filled":
        return lambda row: (row.filled / row.total if row.total else 0, danish_sort_key(row.municipality.name))
    if sort == "activity":
        return lambda row: (row.last_activity is None, -(row.last_activity.timestamp() if row.last_activity else 0))
    if sort == "submitted":
        return lambda row: (row.submitted_at is None, row.submitted_at.timestamp() if row.submitted_at else 0)
    return lambda row: danish_sort_key(row.municipality.name)


def follow_up(
    session: Session,
    actor: Actor,
    round_id: int,
    *,
    now: datetime,
    state: FollowUpState | None = None,
    sort: str = "name",
) -> FollowUp:
    """The overview of a round for its KKR's coordinator (or an admin): every municipality,
    with ``state`` only those in that state, sorted by ``sort`` (one of ``SORTS``)."""
    if sort not in SORTS:
        raise InvalidInput(f"Ukendt sortering {sort!r}.", field="sort")
    reporting_round = get_managed_round(session, actor, round_id, Action.FOLLOW_UP)
    kkr = session.get(Kkr, reporting_round.kkr_id)
    catalogue = session.get(Catalogue, reporting_round.catalogue_id)
    assert kkr is not None and catalogue is not None
    year = reporting_round.year

    municipalities = session.exec(select(Municipality).where(Municipality.kkr_id == kkr.id)).all()
    reports = {
        report.municipality_code: (report, name)
        for report, name in session.exec(
            select(StatusReport, User.name)
            .outerjoin(User, col(User.id) == StatusReport.submitted_by_id)
            .where(StatusReport.round_id == round_id)
        )
    }
    filled_expr = case(((col(StatusEntry.colour).is_not(None)) | col(StatusEntry.opted_out), 1), else_=0)
    unconfirmed_expr = case((col(StatusEntry.confirmed).is_(False), 1), else_=0)
    entry_counts = {
        report_id: (int(total), int(filled or 0), int(unconfirmed or 0), last)
        for report_id, total, filled, unconfirmed, last in session.exec(
            # SQLModel's select() is typed for at most four columns; the fifth is fine at run time.
            select(  # type: ignore[call-overload]
                StatusEntry.report_id,
                func.count(),
                func.sum(filled_expr),
                func.sum(unconfirmed_expr),
                func.max(StatusEntry.updated_at),
            )
            .join(StatusReport, col(StatusReport.id) == StatusEntry.report_id)
            .where(StatusReport.round_id == round_id)
            .group_by(col(StatusEntry.report_id))
        )
    }
    last_events = dict(
        session.exec(
            select(ReportEvent.report_id, func.max(ReportEvent.at))
            .join(StatusReport, col(StatusReport.id) == ReportEvent.report_id)
            .where(StatusReport.round_id == round_id)
            .group_by(col(ReportEvent.report_id))
        ).all()
    )
    rows_required = session.exec(
        select(func.count())
        .select_from(Recommendation)
        .where(Recommendation.catalogue_id == catalogue.id)
        .where(col(Recommendation.first_year) <= year)
        .where((col(Recommendation.last_year).is_(None)) | (col(Recommendation.last_year) >= year))
    ).one()
    reminders = _reminders(session, round_id)

    rows = []
    for municipality in municipalities:
        report, submitted_by = reports.get(municipality.code, (None, None))
        total, filled, unconfirmed, last_saved = (
            entry_counts.get(report.id or 0, (rows_required, 0, 0, None)) if report else (rows_required, 0, 0, None)
        )
        last_event = last_events.get(report.id or 0) if report else None
        moments = [t for t in (last_saved, last_event) if t is not None]
        rows.append(
            FollowUpRow(
                municipality=municipality,
                state=follow_up_state(report),
                report_id=report.id if report else None,
                filled=filled,
                total=total,
                unconfirmed=unconfirmed,
                submitted_at=report.submitted_at if report else None,
                submitted_by=submitted_by,
                last_activity=max(moments) if moments else None,
                reminders=reminders.get(municipality.code, []),
            )
        )
    counts = Counter(row.state for row in rows)
    shown = sorted((row for row in rows if state is None or row.state == state), key=_sort_key(sort))
    scope = KkrScope(kkr.id or 0)
    steps = parse_reminder_days(reporting_round.reminder_days)
    per_step = Counter(r.days_before for rs in reminders.values() for r in rs if r.days_before is not None)
    return FollowUp(
        round=reporting_round,
        kkr=kkr,
        catalogue=catalogue,
        today=local_date(now),
        rows=shown,
        counts={s: counts.get(s, 0) for s in FollowUpState},
        total=len(rows),
        schedule=[ScheduleStep(days, step_date(reporting_round, days), per_step.get(days, 0)) for days in steps],
        may_manage=is_allowed(actor, Action.MANAGE_ROUND, scope),
        may_open=open_refused(reporting_round) is None,
        may_close=close_refused(reporting_round) is None,
        may_reopen=reopen_round_refused(reporting_round) is None,
        may_remind=reminder_refused(reporting_round) is None,
        state_filter=state,
        sort=sort,
    )


def _reminders(session: Session, round_id: int) -> dict[int, list[ReminderSent]]:
    """The round's reminders by municipality, newest first, each with its mails' states."""
    prefix = f"reminder:{round_id}:"
    mail_states: dict[int, Counter[MailState]] = defaultdict(Counter)
    errors: dict[int, str] = {}
    for key, mail_state, error in session.exec(
        select(OutboxMail.dedupe_key, OutboxMail.state, OutboxMail.last_error).where(
            col(OutboxMail.dedupe_key).startswith(prefix)
        )
    ):
        reminder_id = int((key or "").removeprefix(prefix).split(":", 1)[0])
        mail_states[reminder_id][MailState(mail_state)] += 1
        if error and mail_state != MailState.SENT:
            errors[reminder_id] = error
    found: dict[int, list[ReminderSent]] = defaultdict(list)
    for reminder, by in session.exec(
        select(Reminder, User.name)
        .outerjoin(User, col(User.id) == Reminder.by_id)
        .where(Reminder.round_id == round_id)
        .order_by(col(Reminder.sent_at).desc(), col(Reminder.id).desc())
    ):
        recipients = [a for a in reminder.recipients.split(", ") if a]
        found[reminder.municipality_code].append(
            ReminderSent(
                reminder.sent_at,
                reminder.days_before,
                by,
                recipients,
                dict(mail_states[reminder.id or 0]),
                errors.get(reminder.id or 0, ""),
            )
        )
    return found
