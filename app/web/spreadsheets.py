"""Spreadsheets on the pages: CSV and Excel exports, the offline workbook, and its import."""

from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import Response

from app.deps import CurrentActor, DatabaseDep, Now, PathId, PathYear, ReadSession
from app.domain.errors import DomainError, NotFound
from app.domain.exports import Export, offline_workbook, report_export, round_export
from app.domain.imports import (
    Choice,
    FilledWorkbook,
    ImportConflicts,
    ImportRefused,
    import_target,
    import_workbook,
)
from app.spreadsheets.offline import write_offline_workbook
from app.spreadsheets.reading import MAX_UPLOAD_BYTES, read_filled_workbook
from app.spreadsheets.tables import export_csv, export_xlsx
from app.web.templating import render

router = APIRouter()


def choices_from_form(form: dict[str, str]) -> dict[int, Choice]:
    """The user's choices after a conflict, as the page sends them: ``keep_<id>`` and ``version_<id>``."""
    choices = {}
    for name, keep in form.items():
        entry_id, version = name.removeprefix("keep_"), form.get(f"version_{name.removeprefix('keep_')}", "")
        if name.startswith("keep_") and keep in ("mine", "theirs") and entry_id.isdigit() and version.isdigit():
            choices[int(entry_id)] = Choice("mine" if keep == "mine" else "theirs", int(version))
    return choices


PAGE = "pages/import.html"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def file_response(content: bytes, media_type: str, file_name: str) -> Response:
    return Response(
        content,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{file_name}"', "Cache-Control": "no-store"},
    )


def export_response(export: Export, name: str) -> Response:
    """``status.csv`` (semicolons, BOM), ``status-komma.csv`` or ``status.xlsx``."""
    match name:
        case "status.csv":
            return file_response(export_csv(export), "text/csv; charset=utf-8", f"{export.file_stem}.csv")
        case "status-komma.csv":
            content = export_csv(export, "comma")
            return file_response(content, "text/csv; charset=utf-8", f"{export.file_stem}-komma.csv")
        case "status.xlsx":
            return file_response(export_xlsx(export), XLSX, f"{export.file_stem}.xlsx")
    raise NotFound("Filen findes ikke.")


@router.get("/eksport/kkr/{kkr_id}/{year}/{name}", name="round_export")
def round_file(kkr_id: PathId, year: PathYear, name: str, session: ReadSession, actor: CurrentActor) -> Response:
    return export_response(round_export(session, actor, kkr_id, year), name)


@router.get("/eksport/kommuner/{code}/{year}/{name}", name="report_export")
def report_file(code: PathId, year: PathYear, name: str, session: ReadSession, actor: CurrentActor) -> Response:
    return export_response(report_export(session, actor, code, year), name)


@router.get("/kommuner/{code}/{year}/skema.xlsx", name="report_workbook")
def workbook_file(code: PathId, year: PathYear, session: ReadSession, actor: CurrentActor) -> Response:
    data = offline_workbook(session, actor, code, year)
    return file_response(write_offline_workbook(data), XLSX, data.file_name)


@router.get("/kommuner/{code}/{year}/indlaes")
def import_page(request: Request, code: PathId, year: PathYear, session: ReadSession, actor: CurrentActor) -> Response:
    address = import_target(session, actor, code, year)
    return render(request, PAGE, {"address": address, "max_mb": MAX_UPLOAD_BYTES // 1024 // 1024})


def _run_import(
    request: Request,
    database: DatabaseDep,
    actor: CurrentActor,
    now: Now,
    code: PathId,
    year: PathYear,
    workbook: FilledWorkbook | None,
    choices: dict[int, Choice] | None = None,
    data: bytes = b"",
    file_name: str = "",
) -> Response:
    context: dict[str, object] = {"code": code, "year": year}
    try:
        with database.read() as session:  # who may, and may now, before the file is even opened
            import_target(session, actor, code, year)
    except DomainError as error:  # shown where the result goes, so the form stays usable
        return render(request, PAGE, {**context, "error": error}, block="result", status_code=error.status_code)
    try:
        parsed = workbook or read_filled_workbook(data, file_name)
        with database.write() as session:
            result = import_workbook(session, actor, code, year, parsed, choices=choices, now=now)
    except ImportRefused as refused:
        return render(request, PAGE, {**context, "refused": refused}, block="result", status_code=422)
    except ImportConflicts as conflicts:
        return render(request, PAGE, {**context, "conflicts": conflicts}, block="result", status_code=409)
    return render(request, PAGE, {**context, "result": result}, block="result")


@router.post("/kommuner/{code}/{year}/indlaes")
async def import_upload(
    request: Request,
    code: PathId,
    year: PathYear,
    database: DatabaseDep,
    actor: CurrentActor,
    now: Now,
    workbook: Annotated[UploadFile, File()],
) -> Response:
    # One byte past the limit is enough to know it is too large.
    data = await workbook.read(MAX_UPLOAD_BYTES + 1)
    return _run_import(request, database, actor, now, code, year, None, data=data, file_name=workbook.filename or "")


@router.post("/kommuner/{code}/{year}/indlaes/valg")
async def import_choices(
    request: Request,
    code: PathId,
    year: PathYear,
    database: DatabaseDep,
    actor: CurrentActor,
    now: Now,
    pending: Annotated[str, Form(max_length=MAX_UPLOAD_BYTES)],
) -> Response:
    """After a conflict: the same workbook content again, with the user's choice per row."""
    form = await request.form()
    choices = choices_from_form({key: value for key, value in form.items() if isinstance(value, str)})
    try:
        workbook = FilledWorkbook.from_json(pending)
    except ImportRefused as refused:
        return render(request, PAGE, {"refused": refused}, block="result", status_code=422)
    return _run_import(request, database, actor, now, code, year, workbook, choices)
