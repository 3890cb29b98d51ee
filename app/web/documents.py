"""The reports as pages and PDFs, the coordinator's texts, and publishing. Thin routes."""

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup

from app.deps import MAX_PATH_ID, CurrentActor, DatabaseDep, Now, PathId, PathYear, ReadSession
from app.domain.access import Action, is_allowed_for_round
from app.domain.documents.downloads import PdfState, ask_for_render, get_pdf, pdf_state
from app.domain.documents.reading import Consolidated, Council, consolidated_for, council_for, round_scope
from app.domain.documents.texts import TextConflict, round_text_form, save_round_text
from app.domain.errors import DomainError
from app.domain.publish import publish_refused, publish_round
from app.pdf.html import consolidated_html, council_html
from app.web.templating import path_for, render

router = APIRouter()
# An earlier render, by its number, when the page offers it while a fresh one is on its way.
Edition = Annotated[int | None, Query(ge=1, le=MAX_PATH_ID)]
TEXTS_PAGE = "pages/round_texts.html"


@router.get("/runder/{round_id}/rapport")
def round_report_page(request: Request, round_id: PathId, session: ReadSession, actor: CurrentActor) -> Response:
    source = consolidated_for(session, actor, round_id)
    context = {
        "source": source,
        "pdf": pdf_state(session, source),
        "round_id": round_id,
        "body": Markup(consolidated_html(source.report, web=True)),  # noqa: S704  # autoescaped template
        "publish_refusal": publish_refused(source.round),
        "may_write": is_allowed_for_round(actor, Action.WRITE_ROUND_TEXTS, round_scope(source.round)),
    }
    return render(request, "pages/round_report.html", context)


@router.get("/runder/{round_id}/rapport/pdf-status")
def round_report_pdf_status(request: Request, round_id: PathId, session: ReadSession, actor: CurrentActor) -> Response:
    source = consolidated_for(session, actor, round_id)
    context = {"pdf": pdf_state(session, source), "round_id": round_id}
    return render(request, "pages/round_report.html", context, block="pdf_status")


@router.get("/runder/{round_id}/rapport.pdf")
def round_report_pdf(
    request: Request, round_id: PathId, database: DatabaseDep, actor: CurrentActor, now: Now, udgave: Edition = None
) -> Response:
    with database.read() as session:
        source = consolidated_for(session, actor, round_id)
    return _pdf_response(request, database, source, now, udgave)


@router.get("/kommuner/{code}/{year}/rapport")
def council_report_page(
    request: Request, code: PathId, year: PathYear, session: ReadSession, actor: CurrentActor
) -> Response:
    source = council_for(session, actor, code, year)
    context = {
        "source": source,
        "pdf": pdf_state(session, source),
        "body": Markup(council_html(source.report, web=True)),  # noqa: S704  # autoescaped template
    }
    return render(request, "pages/council_report.html", context)


@router.get("/kommuner/{code}/{year}/rapport.pdf")
def council_report_pdf(
    request: Request,
    code: PathId,
    year: PathYear,
    database: DatabaseDep,
    actor: CurrentActor,
    now: Now,
    udgave: Edition = None,
) -> Response:
    with database.read() as session:
        source = council_for(session, actor, code, year)
    return _pdf_response(request, database, source, now, udgave)


def _pdf_response(
    request: Request, database: DatabaseDep, source: Consolidated | Council, now: Now, render_id: int | None
) -> Response:
    """The current render (304 when the reader has it already); an earlier one only when asked
    for by its number; else a page saying the PDF is being made, which reloads itself."""
    with database.read() as session:
        state = pdf_state(session, source)
        etag = f'"{state.data_key}"'
        if render_id is None and state.ready and request.headers.get("if-none-match") == etag:
            return Response(status_code=304, headers={"ETag": etag})
        found = get_pdf(session, state, render_id) if (state.ready or render_id is not None) else None
    if found is not None:
        headers = {
            "Content-Disposition": f'inline; filename="{state.filename}"',
            "Cache-Control": "private, no-cache",
        }
        if render_id is None:
            headers["ETag"] = etag
        return Response(found.pdf, media_type="application/pdf", headers=headers)
    if render_id is not None:
        return render(
            request, "pages/error.html", {"message": "Den udgave findes ikke.", "status_code": 404}, status_code=404
        )
    with database.write() as session:
        ask_for_render(session, state, now=now)
    return _preparing(request, state)


def _preparing(request: Request, state: PdfState) -> Response:
    return render(request, "pages/pdf_preparing.html", {"pdf": state}, status_code=503, headers={"Retry-After": "5"})


@router.get("/runder/{round_id}/tekster")
def round_texts_page(request: Request, round_id: PathId, session: ReadSession, actor: CurrentActor) -> Response:
    return render(request, TEXTS_PAGE, {"page": round_text_form(session, actor, round_id)})


@router.post("/runder/{round_id}/tekster", name="round_text_save")
def save_text(
    request: Request,
    round_id: PathId,
    database: DatabaseDep,
    actor: CurrentActor,
    now: Now,
    section: Annotated[str, Form(max_length=120)],
    version: Annotated[int, Form()],
    text: Annotated[str, Form()] = "",
) -> Response:
    context: dict[str, object] = {"section": section}
    try:
        with database.write() as session:
            saved = save_round_text(session, actor, round_id, section, text, version=version, now=now)
        context |= {"version": saved.version, "saved": True}
        status = 200
    except TextConflict as conflict:
        context |= {"version": conflict.theirs.version, "conflict": conflict}
        status = 409
    except DomainError as error:
        context |= {"version": version, "error": error}
        status = error.status_code
    return render(request, TEXTS_PAGE, context, block="text_state", status_code=status)


@router.post("/runder/{round_id}/offentliggoer", name="round_publish")
def publish(request: Request, round_id: PathId, database: DatabaseDep, actor: CurrentActor, now: Now) -> Response:
    with database.write() as session:
        publish_round(session, actor, round_id, now=now)
    return RedirectResponse(path_for(request, "round_report_page", round_id=round_id), status_code=303)
