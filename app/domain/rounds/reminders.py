"""Reminders to the municipalities that have not submitted: by hand, and on the round's schedule.

The schedule (``ReportingRound.reminder_days``, default 14 and 3 days before the deadline and
the day after it) is run by a background job. Each step reaches each municipality once: the
``reminder`` table's unique key (round, municipality, step) holds it, and the job only ever
sends the latest step that has come (one missed while the job was down is not sent late).
Every reminder mails the municipality's editors through the outbox, in the same transaction.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlmodel import Session, col, select

from app.domain.access import Action, Actor
from app.domain.errors import NotAllowedNow, NotFound
from app.domain.outbox import Composer
from app.domain.reports.rules import state_of
from app.domain.rounds.lifecycle import get_managed_round, local_date, parse_reminder_days
from app.domain.rounds.notices import notify_editors
from app.domain.rounds.review import report_path
from app.domain.text import danish_sort_key
from app.domain.vocabulary import ReportState, RoundState
from app.models import Kkr, Municipality, Reminder, ReportingRound, StatusReport


@dataclass(frozen=True)
class ReminderOutcome:
    """One municipality reminded, and the editors the mail went to (none: nobody to tell)."""

    municipality: Municipality
    recipients: list[str]


def reminder_refused(reporting_round: ReportingRound) -> NotAllowedNow | None:
    """Why no reminder can go out for this round now, or None: only an open round has reminders."""
    if reporting_round.state is not RoundState.OPEN:
        return NotAllowedNow("Runden er ikke åben; der sendes ikke påmindelser.")
    return None


def unsubmitted(session: Session, reporting_round: ReportingRound) -> list[tuple[Municipality, ReportState]]:
    """The KKR's municipalities that have not submitted (not started, in progress, sent back)."""
    rows = session.exec(
        select(Municipality, StatusReport)
        .outerjoin(
            StatusReport,
            (col(StatusReport.municipality_code) == Municipality.code)
            & (col(StatusReport.round_id) == reporting_round.id),
        )
        .where(Municipality.kkr_id == reporting_round.kkr_id)
    ).all()
    waiting = [(m, state_of(report)) for m, report in rows if not state_of(report).is_submitted]
    return sorted(waiting, key=lambda pair: danish_sort_key(pair[0].name))


def _remind(
    session: Session,
    composer: Composer,
    reporting_round: ReportingRound,
    municipality: Municipality,
    state: ReportState,
    *,
    days_before: int | None,
    by_id: int | None,
    now: datetime,
) -> ReminderOutcome:
    assert reporting_round.id is not None
    reminder = Reminder(
        round_id=reporting_round.id,
        municipality_code=municipality.code,
        days_before=days_before,
        sent_at=now,
        by_id=by_id,
    )
    session.add(reminder)
    session.flush()
    days_left = (reporting_round.deadline - local_date(now)).days
    kkr = session.get(Kkr, reporting_round.kkr_id)
    context = {
        "municipality": municipality.name,
        "kkr": kkr.name if kkr else "",
        "year": reporting_round.year,
        "deadline": reporting_round.deadline,
        "days_left": days_left,
        "state": state.label,
        "path": report_path(municipality.code, reporting_round.year),
    }
    recipients = notify_editors(
        session,
        composer,
        municipality.code,
        kind="reminder",
        context=context,
        now=now,
        dedupe_prefix=f"reminder:{reporting_round.id}:{reminder.id}:",
    )
    reminder.recipients = ", ".join(recipients)
    session.add(reminder)
    return ReminderOutcome(municipality, recipients)


def send_reminders(
    session: Session,
    actor: Actor,
    round_id: int,
    *,
    municipality_code: int | None,
    composer: Composer,
    now: datetime,
) -> list[ReminderOutcome]:
    """By hand: remind one municipality (which has not submitted), or, without a code, every
    municipality of the round that has not submitted."""
    reporting_round = get_managed_round(session, actor, round_id, Action.REVIEW_REPORT)
    if (refusal := reminder_refused(reporting_round)) is not None:
        raise refusal
    targets = unsubmitted(session, reporting_round)
    if municipality_code is not None:
        municipality = session.get(Municipality, municipality_code)
        if municipality is None or municipality.kkr_id != reporting_round.kkr_id:
            raise NotFound("Kommunen hører ikke til rundens KKR.")
        targets = [pair for pair in targets if pair[0].code == municipality_code]
        if not targets:
            raise NotAllowedNow(f"{municipality.name} har allerede indsendt; der er intet at påminde om.")
    outcomes = [
        _remind(session, composer, reporting_round, m, state, days_before=None, by_id=actor.user_id, now=now)
        for m, state in targets
    ]
    session.flush()
    return outcomes


def step_date(reporting_round: ReportingRound, days_before: int) -> date:
    """The day a step of the schedule falls on: ``days_before`` the deadline (-1: the day after)."""
    return reporting_round.deadline - timedelta(days=days_before)


def due_step(reporting_round: ReportingRound, now: datetime) -> int | None:
    """The schedule's latest step whose day has come (and lies after the round opened), if any."""
    today = local_date(now)
    came = [
        (step_date(reporting_round, days), days)
        for days in parse_reminder_days(reporting_round.reminder_days)
        if reporting_round.opens_on <= step_date(reporting_round, days) <= today
    ]
    return max(came)[1] if came else None


def send_scheduled_reminders(session: Session, *, now: datetime, composer: Composer) -> int:
    """The background job: for every open round, send the step that is due to each municipality
    that has not submitted and has not had it. Returns how many municipalities were reminded.

    The open rounds are claimed (``FOR UPDATE SKIP LOCKED`` on PostgreSQL), so two workers never
    remind for the same round at once."""
    rounds = session.exec(
        select(ReportingRound).where(ReportingRound.state == RoundState.OPEN).with_for_update(skip_locked=True)
    ).all()
    reminded = 0
    for reporting_round in rounds:
        step = due_step(reporting_round, now)
        if step is None:
            continue
        done = set(
            session.exec(
                select(Reminder.municipality_code)
                .where(Reminder.round_id == reporting_round.id)
                .where(Reminder.days_before == step)
            )
        )
        for municipality, state in unsubmitted(session, reporting_round):
            if municipality.code not in done:
                _remind(session, composer, reporting_round, municipality, state, days_before=step, by_id=None, now=now)
                reminded += 1
    session.flush()
    return reminded
