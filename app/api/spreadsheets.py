"""Spreadsheets in the API: exports, the offline workbook and its import, as on the pages."""

import json
from typing import Annotated, Literal

from fastapi import APIRouter, File, Form, Query, UploadFile
from fastapi.responses import Response

from app.api.errors import ApiError
from app.api.schemas import ImportOut
from app.deps import CurrentActor, DatabaseDep, Now, PathId, PathYear, ReadSession
from app.domain.exports import offline_workbook, report_export, round_export
from app.domain.imports import Choice, import_target, import_workbook
from app.spreadsheets.offline import write_offline_workbook
from app.spreadsheets.reading import MAX_UPLOAD_BYTES, read_filled_workbook
from app.web.spreadsheets import XLSX, export_response, file_response

router = APIRouter(tags=["regneark"])
Format = Annotated[
    Literal["csv", "csv-komma", "xlsx"],
    Query(description="csv: semikolon og BOM (dansk Excel); csv-komma: komma, uden BOM; xlsx: Excel"),
]
FILES = {"csv": "status.csv", "csv-komma": "status-komma.csv", "xlsx": "status.xlsx"}
FILE_RESPONSES: dict[int | str, dict[str, object]] = {
    200: {"content": {"text/csv": {}, XLSX: {}}, "description": "Filen."}
}


@router.get("/exports/kkr/{kkr_id}/{year}", response_class=Response, responses=FILE_RESPONSES)
def round_file(
    kkr_id: PathId, year: PathYear, session: ReadSession, actor: CurrentActor, format: Format = "csv"
) -> Response:
    """Rundens status: én række pr. kommune og anbefaling, for de rapporter du må læse."""
    return export_response(round_export(session, actor, kkr_id, year), FILES[format])


@router.get("/reports/{code}/{year}/export", response_class=Response, responses=FILE_RESPONSES)
def report_file(
    code: PathId, year: PathYear, session: ReadSession, actor: CurrentActor, format: Format = "csv"
) -> Response:
    """Én kommunes statusrapport som regneark."""
    return export_response(report_export(session, actor, code, year), FILES[format])


@router.get("/reports/{code}/{year}/workbook", response_class=Response, responses=FILE_RESPONSES)
def workbook_file(code: PathId, year: PathYear, session: ReadSession, actor: CurrentActor) -> Response:
    """Projektmappen, der udfyldes uden for nettet og indlæses igen."""
    data = offline_workbook(session, actor, code, year)
    return file_response(write_offline_workbook(data), XLSX, data.file_name)


def _choices(text: str) -> dict[int, Choice]:
    try:
        raw = json.loads(text) if text else {}
        return {int(key): Choice(value["keep"], int(value["version"])) for key, value in raw.items()}
    except (ValueError, TypeError, KeyError, AttributeError):
        return {}


@router.post(
    "/reports/{code}/{year}/import",
    responses={
        409: {
            "model": ApiError,
            "description": "Rækker ændret online siden projektmappen blev hentet (conflicts): vælg pr. række.",
        },
        422: {"model": ApiError, "description": "Projektmappen er afvist; problems siger hvor (ark, række, kolonne)."},
    },
)
async def import_file(
    code: PathId,
    year: PathYear,
    database: DatabaseDep,
    actor: CurrentActor,
    now: Now,
    workbook: Annotated[UploadFile, File(description="Den udfyldte projektmappe (.xlsx).")],
    choices: Annotated[
        str,
        Form(
            max_length=100_000,
            description='Efter en konflikt: {"<entry_id>": {"keep": "mine"|"theirs", "version": <den viste version>}}',
        ),
    ] = "",
) -> ImportOut:
    """Indlæs en udfyldt projektmappe: alt eller intet, med samme regler som formularen."""
    with database.read() as session:
        import_target(session, actor, code, year)
    data = await workbook.read(MAX_UPLOAD_BYTES + 1)
    # A refused workbook (422, problems) and rows changed online (409, conflicts) are DomainErrors:
    # the shared handler answers them in the API's one error shape.
    parsed = read_filled_workbook(data, workbook.filename or "")
    with database.write() as session:
        result = import_workbook(session, actor, code, year, parsed, choices=_choices(choices), now=now)
    return ImportOut(changed=result.changed, unchanged=result.unchanged, kept_online=result.kept_online)
