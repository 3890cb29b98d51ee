"""Rounds, the follow-up overview, reminders and review as JSON: the same domain calls as the
coordinator's pages."""

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from sqlmodel import Session

from app.api.report_state import on_report
from app.api.schemas import ReportStateOut
from app.deps import (
    MAX_PATH_ID,
    CurrentActor,
    DatabaseDep,
    MailComposer,
    Now,
    PathId,
    PathYear,
    ReadSession,
    SettingsDep,
)
from app.domain.access import Action
from app.domain.reports.commands import ReportRef
from app.domain.reports.view import load_report_page
from app.domain.rounds.followup import FollowUp, follow_up, parse_state_filter
from app.domain.rounds.lifecycle import (
    RoundInput,
    close_round,
    get_managed_round,
    list_rounds,
    open_round,
    plan_round,
    reopen_round,
    set_reminder_schedule,
)
from app.domain.rounds.reminders import send_reminders
from app.domain.rounds.review import approve_report, send_back_report
from app.domain.vocabulary import FollowUpState, ReportEventKind, RoundState
from app.mail.sender import NOT_CONFIGURED, smtp_configured
from app.models import Catalogue, Kkr, ReportingRound

router = APIRouter(tags=["opfølgningsrunder"])


class RoundIn(BaseModel):
    kkr_id: int = Field(ge=1, le=MAX_PATH_ID)
    year: int = Field(ge=2000, le=2100)
    catalogue: str = Field(default="", max_length=200, description="Katalogets id; tomt: udgaven, der gælder året.")
    opens_on: date
    deadline: date
    reminder_days: str = Field(default="14,3,-1", max_length=200, description="Dage før fristen; -1 er dagen efter.")


class RoundOut(BaseModel):
    round_id: int
    kkr: str
    year: int
    catalogue: str
    opens_on: date
    deadline: date
    state: RoundState
    reminder_days: list[int]


class ReminderOut(BaseModel):
    sent_at: datetime
    days_before: int | None
    by: str | None
    recipients: list[str]
    delivered: bool


class FollowUpRowOut(BaseModel):
    municipality_code: int
    municipality: str
    state: FollowUpState
    report_id: int | None
    filled: int
    total: int
    unconfirmed: int
    submitted_at: datetime | None
    submitted_by: str | None
    last_activity: datetime | None
    reminders: list[ReminderOut]


class FollowUpOut(BaseModel):
    round: RoundOut
    submitted: int
    total: int
    days_to_deadline: int
    counts: dict[FollowUpState, int]
    municipalities: list[FollowUpRowOut]


class ScheduleIn(BaseModel):
    reminder_days: str = Field(max_length=200)


class RemindIn(BaseModel):
    municipality_code: int | None = Field(
        default=None, ge=1, le=MAX_PATH_ID, description="Tomt: alle, der ikke har indsendt."
    )


class RemindOut(BaseModel):
    reminded: list[str]
    recipients: int
    mail: str  # what happens to the mails now


class SendBackIn(BaseModel):
    comment: str = Field(max_length=20_000)


class TimelineItemOut(BaseModel):
    at: datetime
    event: ReportEventKind
    label: str
    detail: str
    by: str | None


def round_out(reporting_round: ReportingRound, kkr: Kkr, catalogue: Catalogue) -> RoundOut:
    assert reporting_round.id is not None
    return RoundOut(
        round_id=reporting_round.id,
        kkr=kkr.name,
        year=reporting_round.year,
        catalogue=catalogue.key,
        opens_on=reporting_round.opens_on,
        deadline=reporting_round.deadline,
        state=reporting_round.state,
        reminder_days=[int(d) for d in reporting_round.reminder_days.split(",") if d],
    )


def follow_up_out(overview: FollowUp) -> FollowUpOut:
    return FollowUpOut(
        round=round_out(overview.round, overview.kkr, overview.catalogue),
        submitted=overview.submitted,
        total=overview.total,
        days_to_deadline=overview.days_to_deadline,
        counts=overview.counts,
        municipalities=[
            FollowUpRowOut(
                municipality_code=row.municipality.code,
                municipality=row.municipality.name,
                state=row.state,
                report_id=row.report_id,
                filled=row.filled,
                total=row.total,
                unconfirmed=row.unconfirmed,
                submitted_at=row.submitted_at,
                submitted_by=row.submitted_by,
                last_activity=row.last_activity,
                reminders=[
                    ReminderOut(
                        sent_at=r.sent_at,
                        days_before=r.days_before,
                        by=r.by,
                        recipients=r.recipients,
                        delivered=r.delivered,
                    )
                    for r in row.reminders
                ],
            )
            for row in overview.rows
        ],
    )


def _round_out(session: ReadSession, reporting_round: ReportingRound) -> RoundOut:
    kkr = session.get(Kkr, reporting_round.kkr_id)
    catalogue = session.get(Catalogue, reporting_round.catalogue_id)
    assert kkr is not None and catalogue is not None
    return round_out(reporting_round, kkr, catalogue)


@router.get("/rounds")
def rounds(session: ReadSession, actor: CurrentActor) -> list[RoundOut]:
    return [round_out(item.round, item.kkr, item.catalogue) for item in list_rounds(session, actor)]


@router.post("/rounds", status_code=201)
def create(body: RoundIn, database: DatabaseDep, actor: CurrentActor, now: Now) -> RoundOut:
    data = RoundInput(body.kkr_id, body.year, body.catalogue, body.opens_on, body.deadline, body.reminder_days)
    with database.write() as session:
        created = plan_round(session, actor, data, now=now)
        return _round_out(session, created)


@router.get("/rounds/{round_id}")
def get_round(round_id: PathId, session: ReadSession, actor: CurrentActor) -> RoundOut:
    return _round_out(session, get_managed_round(session, actor, round_id, Action.FOLLOW_UP))


@router.get("/rounds/{round_id}/follow-up")
def overview(
    round_id: PathId,
    session: ReadSession,
    actor: CurrentActor,
    now: Now,
    state: FollowUpState | None = None,
    sort: Annotated[str, Query(max_length=30)] = "name",
) -> FollowUpOut:
    return follow_up_out(follow_up(session, actor, round_id, now=now, state=parse_state_filter(state), sort=sort))


@router.post("/rounds/{round_id}/open")
def open_(round_id: PathId, database: DatabaseDep, actor: CurrentActor, now: Now) -> RoundOut:
    with database.write() as session:
        return _round_out(session, open_round(session, actor, round_id, now=now))


@router.post("/rounds/{round_id}/close")
def close(round_id: PathId, database: DatabaseDep, actor: CurrentActor, now: Now) -> RoundOut:
    with database.write() as session:
        return _round_out(session, close_round(session, actor, round_id, now=now))


@router.post("/rounds/{round_id}/reopen")
def reopen(round_id: PathId, database: DatabaseDep, actor: CurrentActor, now: Now) -> RoundOut:
    with database.write() as session:
        return _round_out(session, reopen_round(session, actor, round_id, now=now))


@router.put("/rounds/{round_id}/reminder-schedule")
def schedule(round_id: PathId, body: ScheduleIn, database: DatabaseDep, actor: CurrentActor, now: Now) -> RoundOut:
    with database.write() as session:
        return _round_out(session, set_reminder_schedule(session, actor, round_id, body.reminder_days, now=now))


@router.post("/rounds/{round_id}/reminders")
def remind(
    round_id: PathId,
    body: RemindIn,
    database: DatabaseDep,
    actor: CurrentActor,
    now: Now,
    composer: MailComposer,
    settings: SettingsDep,
) -> RemindOut:
    with database.write() as session:
        outcomes = send_reminders(
            session, actor, round_id, municipality_code=body.municipality_code, composer=composer, now=now
        )
    return RemindOut(
        reminded=[o.municipality.name for o in outcomes],
        recipients=sum(len(o.recipients) for o in outcomes),
        mail="Mailene er lagt i udbakken og sendes straks." if smtp_configured(settings) else NOT_CONFIGURED,
    )


@router.post("/reports/{code}/{year}/approve")
def approve(code: PathId, year: PathYear, database: DatabaseDep, actor: CurrentActor, now: Now) -> ReportStateOut:
    return on_report(
        database, code, year, lambda session, report_id: approve_report(session, actor, report_id, now=now)
    )


@router.post("/reports/{code}/{year}/send-back")
def send_back(
    code: PathId,
    year: PathYear,
    body: SendBackIn,
    database: DatabaseDep,
    actor: CurrentActor,
    now: Now,
    composer: MailComposer,
) -> ReportStateOut:
    def send_back(session: Session, report_id: int) -> ReportRef:
        ref, _recipients = send_back_report(session, actor, report_id, comment=body.comment, now=now, composer=composer)
        return ref

    return on_report(database, code, year, send_back)


@router.get("/reports/{code}/{year}/timeline")
def timeline(code: PathId, year: PathYear, session: ReadSession, actor: CurrentActor) -> list[TimelineItemOut]:
    page = load_report_page(session, actor, code, year)
    return [
        TimelineItemOut(at=item.at, event=item.kind, label=item.label, detail=item.detail, by=item.by)
        for item in page.review.timeline
    ]
