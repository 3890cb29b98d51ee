"""The job centre's page: the status report of one municipality for one year."""

from dataclasses import dataclass, replace
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel
from sqlmodel import Session

from app.deps import CurrentActor, CurrentUser, DatabaseDep, MailComposer, Now, PathId, PathYear, ReadSession
from app.domain.errors import DomainError, InvalidInput
from app.domain.reports.commands import (
    EntryInput,
    RowConflict,
    RowsChanged,
    confirm_unchanged,
    record_committee,
    reopen_report,
    save_entry,
    start_report,
    submit_report,
)
from app.domain.reports.history import FIELD_LABELS, entry_history
from app.domain.reports.queries import report_progress, user_name
from app.domain.reports.rules import ReportProgress, SubmitIncomplete
from app.domain.reports.view import RowContext, load_report_page, load_report_page_of, load_row, row_context
from app.models import StatusEntry, User
from app.web.templating import path_for, render

router = APIRouter()
PAGE = "pages/report.html"
CHECK_PAGE = "pages/report_check.html"


@dataclass(frozen=True)
class RowForm:
    """What the row's form fields hold: the saved values, or what the user just sent."""

    colour: str
    remark: str
    opted_out: bool
    opt_out_reason: str
    version: int

    @classmethod
    def of(cls, entry: StatusEntry | None) -> "RowForm":
        assert entry is not None  # rows of a started report always have their entry
        return cls(
            entry.colour.value if entry.colour else "",
            entry.remark,
            entry.opted_out,
            entry.opt_out_reason,
            entry.version,
        )


def _row_response(
    request: Request,
    context: RowContext,
    form: RowForm,
    *,
    status_code: int = 200,
    progress: ReportProgress | None = None,
    **extra: Any,
) -> Response:
    """The row's fragment; after a save, also the report's progress and checklist, out of band."""
    values = {
        "row": context.row,
        "form": form,
        "year": context.year,
        "editable": context.editable,
        "progress": progress,
        "missing": progress.missing if progress else [],
        "oob": True,
        "compare_year": context.compare_year,
        "check_url": path_for(request, "check_answers", code=context.municipality_code, year=context.year),
        "show_check": context.editable,
        "report_id": context.report_id,
        **extra,
    }
    blocks = ["row", "progress", "checklist"] if progress is not None else ["row"]
    if extra.get("confirmed_now"):  # the confirm-all list only changes when a carried row is confirmed
        blocks.append("confirm_all")
    return render(request, PAGE, values, blocks=blocks, status_code=status_code)


def report_url(request: Request, code: int, year: int) -> str:
    return path_for(request, "report_page", code=code, year=year)


@router.get("/kommuner/{code}/{year}")
def report_page(request: Request, code: PathId, year: PathYear, session: ReadSession, actor: CurrentActor) -> Response:
    page = load_report_page(session, actor, code, year)
    forms = {rec_id: RowForm.of(row.entry) for rec_id, row in page.rows.items() if row.entry}
    confirmed = request.query_params.get("bekraeftet", "")
    context = {"page": page, "forms": forms, "year": year, "confirmed": int(confirmed) if confirmed.isdigit() else None}
    return render(request, PAGE, context)


@router.get("/kommuner/{code}/{year}/tjek")
def check_answers(
    request: Request, code: PathId, year: PathYear, session: ReadSession, actor: CurrentActor
) -> Response:
    """The "check your answers" step: the whole report on one page, with "Ret" links, then Indsend."""
    return render(request, CHECK_PAGE, {"page": load_report_page(session, actor, code, year)})


def parse_versions(text: str) -> dict[int, int]:
    """The "row id:version" pairs the confirm-all form sends (space separated)."""
    versions = {}
    for pair in text.split():
        entry_id, _, version = pair.partition(":")
        if not (entry_id.isdigit() and version.isdigit()):
            raise InvalidInput("Formularen er ufuldstændig. Genindlæs siden, og prøv igen.", field="versions")
        versions[int(entry_id)] = int(version)
    return versions


@router.post("/rapporter/{report_id}/bekraeft-uaendrede", name="report_confirm_unchanged")
def confirm_all_unchanged(
    request: Request,
    report_id: PathId,
    database: DatabaseDep,
    actor: CurrentActor,
    now: Now,
    versions: Annotated[str, Form(max_length=20_000)] = "",
) -> Response:
    try:
        with database.write() as session:
            done = confirm_unchanged(session, actor, report_id, parse_versions(versions), now=now)
    except (RowsChanged, InvalidInput) as error:
        with database.read() as session:
            page = load_report_page_of(session, actor, report_id)
        forms = {rec_id: RowForm.of(row.entry) for rec_id, row in page.rows.items() if row.entry}
        context = {"page": page, "forms": forms, "year": page.year, "confirm_error": error}
        return render(request, PAGE, context, status_code=error.status_code)
    url = report_url(request, done.ref.municipality_code, done.ref.year)
    return RedirectResponse(f"{url}?bekraeftet={done.confirmed}", status_code=303)


@router.post("/kommuner/{code}/{year}/start", name="report_start")
def start(
    request: Request,
    code: PathId,
    year: PathYear,
    database: DatabaseDep,
    actor: CurrentActor,
    now: Now,
    carry_over: Annotated[bool, Form()] = False,
) -> Response:
    with database.write() as session:
        start_report(session, actor, code, year, carry_over=carry_over, now=now)
    return RedirectResponse(report_url(request, code, year), status_code=303)


class RowFields(BaseModel):
    """The row form's fields. One form model, not five ``Form()`` parameters: FastAPI validates
    it in one step, which is measurably cheaper on the save, the app's most frequent request
    (issue 17). No length limits here: the domain refuses an over-long text with a message next
    to the field and the text kept; the body-size limit stops abuse before parsing."""

    version: int
    colour: str = ""
    remark: str = ""
    opted_out: bool = False
    opt_out_reason: str = ""


@router.post("/raekker/{entry_id}")
def save_row(
    request: Request,
    entry_id: PathId,
    database: DatabaseDep,
    user: CurrentUser,
    actor: CurrentActor,
    now: Now,
    fields: Annotated[RowFields, Form()],
) -> Response:
    sent = RowForm(fields.colour, fields.remark, fields.opted_out, fields.opt_out_reason, fields.version)
    data = EntryInput(fields.colour or None, fields.remark, fields.opted_out, fields.opt_out_reason, fields.version)
    try:
        with database.write() as session:
            saved = save_entry(session, actor, entry_id, data, now=now)
            updated_by = _updated_by(session, user, saved.found.entry)
            context = row_context(session, actor, saved.found, updated_by=updated_by)
            progress = report_progress(session, context.report_id)
    except RowConflict as conflict:
        # Keep the user's text in the form; show the other person's value beside it. The form
        # now carries the current version, so saving again is a deliberate choice.
        with database.read() as session:
            context = load_row(session, actor, entry_id)
        assert context.row.entry is not None
        kept = replace(sent, version=context.row.entry.version)
        return _row_response(request, context, kept, status_code=409, conflict=conflict)
    except DomainError as error:
        with database.read() as session:
            context = load_row(session, actor, entry_id)
        return _row_response(request, context, sent, status_code=error.status_code, error=error)
    form = RowForm.of(context.row.entry)
    return _row_response(request, context, form, progress=progress, saved=True, confirmed_now=saved.confirmed_now)


def _updated_by(session: Session, user: User, entry: StatusEntry) -> str | None:
    """Who last changed the row: after a save, nearly always the user in hand (no query)."""
    return user.name if entry.updated_by_id == user.id else user_name(session, entry.updated_by_id)


@router.get("/raekker/{entry_id}/historik")
def row_history(request: Request, entry_id: PathId, session: ReadSession, actor: CurrentActor) -> Response:
    history = entry_history(session, actor, entry_id)
    return render(request, "pages/history.html", {"history": history, "labels": FIELD_LABELS})


@router.post("/rapporter/{report_id}/indsend", name="report_submit")
def submit(request: Request, report_id: PathId, database: DatabaseDep, actor: CurrentActor, now: Now) -> Response:
    try:
        with database.write() as session:
            ref = submit_report(session, actor, report_id, now=now)
    except SubmitIncomplete as incomplete:
        if not request.headers.get("hx-request"):  # from the "check your answers" step
            with database.read() as session:
                page = load_report_page_of(session, actor, report_id)
            return render(request, CHECK_PAGE, {"page": page, "submit_error": incomplete}, status_code=422)
        context = {"missing": incomplete.missing, "submit_error": incomplete.message}
        return render(request, PAGE, context, block="checklist", status_code=422)
    return _back_to_page(request, report_url(request, ref.municipality_code, ref.year))


@router.post("/rapporter/{report_id}/genaabn", name="report_reopen")
def reopen(
    request: Request,
    report_id: PathId,
    database: DatabaseDep,
    actor: CurrentActor,
    now: Now,
    composer: MailComposer,
    reason: Annotated[str, Form(max_length=20_000)] = "",
) -> Response:
    with database.write() as session:
        ref = reopen_report(session, actor, report_id, now=now, reason=reason, composer=composer)
    return _back_to_page(request, report_url(request, ref.municipality_code, ref.year))


@router.post("/rapporter/{report_id}/behandling", name="report_committee")
def committee(
    request: Request,
    report_id: PathId,
    database: DatabaseDep,
    actor: CurrentActor,
    now: Now,
    version: Annotated[int, Form()],
    committee_name: Annotated[str, Form(max_length=20_000)] = "",
    committee_date: Annotated[date | None, Form()] = None,
    agenda_url: Annotated[str, Form(max_length=20_000)] = "",
) -> Response:
    try:
        with database.write() as session:
            report = record_committee(
                session,
                actor,
                report_id,
                committee_name=committee_name,
                committee_date=committee_date,
                agenda_url=agenda_url,
                version=version,
                now=now,
            )
    except DomainError as error:
        sent = {
            "committee_name": committee_name,
            "committee_date": committee_date,
            "agenda_url": agenda_url,
        }
        context = {
            "committee_error": error,
            "committee_form": sent,
            "committee_version": version,
            "report_id": report_id,
        }
        return render(request, PAGE, context, block="committee_form", status_code=error.status_code)
    context = {
        "committee_saved": True,
        "committee_form": report.model_dump(),
        "committee_version": report.version,
        "report_id": report_id,
    }
    return render(request, PAGE, context, block="committee_form")


def _back_to_page(request: Request, url: str) -> Response:
    if request.headers.get("hx-request"):
        return Response(status_code=204, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)
