"""Status reports as JSON: the same rules and access checks as the job centre's page."""

from fastapi import APIRouter
from sqlmodel import Session

from app.api.errors import ApiError
from app.api.report_state import on_report
from app.api.schemas import (
    CommitteeIn,
    ConfirmUnchangedIn,
    EntryIn,
    EntryOut,
    HistoryOut,
    PreviousOut,
    ReopenIn,
    ReportOut,
    ReportStateOut,
    StartIn,
    missing_out,
)
from app.deps import CurrentActor, DatabaseDep, MailComposer, Now, PathId, PathYear, ReadSession
from app.domain.reports.commands import (
    EntryInput,
    ReportRef,
    confirm_unchanged,
    record_committee,
    reopen_report,
    save_entry,
    start_report,
    submit_report,
)
from app.domain.reports.history import entry_history
from app.domain.reports.queries import get_report_id, user_name
from app.domain.reports.view import Row, load_report_page, row_context
from app.models import StatusReport

router = APIRouter(tags=["statusrapporter"])


def entry_out(row: Row) -> EntryOut:
    entry = row.entry
    assert entry is not None and entry.id is not None
    return EntryOut(
        entry_id=entry.id,
        recommendation_id=row.recommendation.key,
        kind=row.recommendation.kind,
        colour=entry.colour,
        remark=entry.remark,
        opted_out=entry.opted_out,
        opt_out_reason=entry.opt_out_reason,
        confirmed=entry.confirmed,
        version=entry.version,
        updated_at=entry.updated_at,
        updated_by=row.updated_by,
        previous=[
            PreviousOut(recommendation_id=p.key, colour=p.colour, remark=p.remark, opted_out=p.opted_out)
            for p in row.previous
        ],
    )


@router.get("/reports/{code}/{year}")
def get_report(code: PathId, year: PathYear, session: ReadSession, actor: CurrentActor) -> ReportOut:
    page = load_report_page(session, actor, code, year)
    report = page.report
    return ReportOut(
        municipality_code=page.municipality.code,
        municipality=page.municipality.name,
        year=page.year,
        round_state=page.round.state,
        report_id=report.id if report else None,
        state=page.state,
        version=report.version if report else None,
        submitted_at=report.submitted_at if report else None,
        committee_name=report.committee_name if report else "",
        committee_date=report.committee_date if report else None,
        agenda_url=report.agenda_url if report else "",
        editable=page.may_edit,
        entries=[entry_out(row) for row in page.rows.values() if row.entry],
        missing=missing_out(page.progress.missing) if report else [],
    )


@router.post("/reports/{code}/{year}/start", status_code=201)
def start(
    code: PathId, year: PathYear, body: StartIn, database: DatabaseDep, actor: CurrentActor, now: Now
) -> ReportOut:
    with database.write() as session:
        start_report(session, actor, code, year, carry_over=body.carry_over, now=now)
    with database.read() as session:
        return get_report(code, year, session, actor)


@router.put(
    "/entries/{entry_id}",
    responses={409: {"model": ApiError, "description": "Rækken er ændret af en anden siden din version."}},
)
def save(entry_id: PathId, body: EntryIn, database: DatabaseDep, actor: CurrentActor, now: Now) -> EntryOut:
    data = EntryInput(body.colour, body.remark, body.opted_out, body.opt_out_reason, body.version)
    with database.write() as session:
        found = save_entry(session, actor, entry_id, data, now=now).found
        context = row_context(session, actor, found, updated_by=user_name(session, found.entry.updated_by_id))
        return entry_out(context.row)


@router.post(
    "/reports/{code}/{year}/confirm-unchanged",
    responses={409: {"model": ApiError, "description": "En række er ændret siden din version; intet er bekræftet."}},
)
def confirm_all_unchanged(
    code: PathId, year: PathYear, body: ConfirmUnchangedIn, database: DatabaseDep, actor: CurrentActor, now: Now
) -> ReportOut:
    """ "Bekræft alle uændrede": every row carried over and not yet confirmed, in one go."""
    with database.write() as session:
        confirm_unchanged(session, actor, get_report_id(session, code, year), body.versions, now=now)
    with database.read() as session:
        return get_report(code, year, session, actor)


@router.get("/entries/{entry_id}/history")
def history(entry_id: PathId, session: ReadSession, actor: CurrentActor) -> list[HistoryOut]:
    return [HistoryOut(**change.__dict__) for change in entry_history(session, actor, entry_id).changes]


@router.post(
    "/reports/{code}/{year}/submit",
    responses={422: {"model": ApiError, "description": "Det, der mangler (missing), eller ugyldige felter."}},
)
def submit(code: PathId, year: PathYear, database: DatabaseDep, actor: CurrentActor, now: Now) -> ReportStateOut:
    def submit(session: Session, report_id: int) -> ReportRef:
        return submit_report(session, actor, report_id, now=now)

    return on_report(database, code, year, submit)


@router.post("/reports/{code}/{year}/reopen")
def reopen(
    code: PathId,
    year: PathYear,
    body: ReopenIn,
    database: DatabaseDep,
    actor: CurrentActor,
    now: Now,
    composer: MailComposer,
) -> ReportStateOut:
    def reopen(session: Session, report_id: int) -> ReportRef:
        return reopen_report(session, actor, report_id, now=now, reason=body.reason, composer=composer)

    return on_report(database, code, year, reopen)


@router.put("/reports/{code}/{year}/committee")
def committee(
    code: PathId, year: PathYear, body: CommitteeIn, database: DatabaseDep, actor: CurrentActor, now: Now
) -> ReportStateOut:
    def record(session: Session, report_id: int) -> StatusReport:
        return record_committee(
            session,
            actor,
            report_id,
            committee_name=body.committee_name,
            committee_date=body.committee_date,
            agenda_url=body.agenda_url,
            version=body.version,
            now=now,
        )

    return on_report(database, code, year, record)
