"""The coordinator's pages: the rounds, a round's follow-up overview, reminders and review."""

from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session

from app.config import Settings
from app.deps import MAX_PATH_ID, CurrentActor, DatabaseDep, MailComposer, Now, PathId, ReadSession, SettingsDep
from app.domain.access import Actor
from app.domain.errors import DomainError, InvalidInput
from app.domain.reports.view import load_report_page
from app.domain.rounds.followup import SORTS, follow_up, parse_state_filter
from app.domain.rounds.lifecycle import (
    RoundInput,
    close_round,
    edition_choices,
    list_rounds,
    managed_kkrs,
    open_round,
    plan_round,
    proposed_year,
    reopen_round,
    set_reminder_schedule,
)
from app.domain.rounds.reminders import send_reminders
from app.domain.rounds.review import approve_report, send_back_report
from app.domain.vocabulary import FollowUpState
from app.mail.sender import NOT_CONFIGURED, smtp_configured
from app.models import ReportingRound
from app.web.reports import report_url
from app.web.templating import path_for, render

router = APIRouter()

# What a redirect after an action tells the user, by the code in its ?besked=.
MESSAGES = {
    "oprettet": "Runden er oprettet som planlagt. Kommunerne ser den først, når du åbner den.",
    "aabnet": "Runden er åbnet: kommunerne kan nu starte deres statusrapporter.",
    "lukket": "Runden er lukket: rapporterne er skrivebeskyttede for kommunerne.",
    "genaabnet": "Runden er genåbnet.",
    "plan": "Planen for påmindelser er gemt.",
    "paamindet": "Påmindelserne er lagt i udbakken.",
    "godkendt": "Rapporten er godkendt.",
    "sendt-tilbage": "Rapporten er sendt tilbage til kommunen med din kommentar.",
}


def round_url(request: Request, round_id: int, **query: str) -> str:
    suffix = f"?{urlencode(query)}" if query else ""
    return path_for(request, "round_overview", round_id=round_id) + suffix


def _mail_notice(settings: Settings) -> str | None:
    return None if smtp_configured(settings) else NOT_CONFIGURED


def _new_round_form(session: Session, actor: Actor, now: datetime, values: dict[str, Any]) -> dict[str, Any]:
    kkrs = managed_kkrs(session, actor)
    kkr_id = values.get("kkr_id") or (kkrs[0].id if kkrs else None)
    year = values.get("year") or (proposed_year(session, kkr_id, now=now) if kkr_id else None)
    return {
        "kkrs": kkrs,
        "form": {"kkr_id": kkr_id, "year": year, **values},
        "editions": edition_choices(session, kkr_id, year) if kkr_id else [],
    }


@router.get("/runder")
def rounds_page(request: Request, session: ReadSession, actor: CurrentActor, now: Now) -> Response:
    context = {"rounds": list_rounds(session, actor), **_new_round_form(session, actor, now, {})}
    return render(request, "pages/rounds.html", context)


@router.get("/runder/katalogvalg")
def edition_select(
    request: Request,
    session: ReadSession,
    actor: CurrentActor,
    now: Now,
    kkr_id: Annotated[int | None, Query(ge=1, le=MAX_PATH_ID)] = None,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
) -> Response:
    """The catalogue editions for the year typed in: the one in force that year first (HTMX)."""
    context = _new_round_form(session, actor, now, {"kkr_id": kkr_id, "year": year})
    return render(request, "pages/rounds.html", context, block="edition_select")


@router.post("/runder", name="round_create")
def create(
    request: Request,
    database: DatabaseDep,
    actor: CurrentActor,
    now: Now,
    kkr_id: Annotated[int | None, Form(ge=1, le=MAX_PATH_ID)] = None,
    year: Annotated[str, Form(max_length=10)] = "",
    catalogue: Annotated[str, Form(max_length=200)] = "",
    opens_on: Annotated[str, Form(max_length=20)] = "",
    deadline: Annotated[str, Form(max_length=20)] = "",
    reminder_days: Annotated[str, Form(max_length=200)] = "14, 3, -1",
) -> Response:
    sent = {
        "kkr_id": kkr_id,
        "year": year,
        "catalogue": catalogue,
        "opens_on": opens_on,
        "deadline": deadline,
        "reminder_days": reminder_days,
    }
    try:
        data = RoundInput(
            kkr_id=kkr_id,
            year=_parse_year(year),
            catalogue_key=catalogue,
            opens_on=_parse_date(opens_on, "opens_on", "Åbningsdatoen"),
            deadline=_parse_date(deadline, "deadline", "Fristen"),
            reminder_days=reminder_days,
        )
        with database.write() as session:
            created = plan_round(session, actor, data, now=now)
    except DomainError as error:
        with database.read() as session:
            form = _new_round_form(session, actor, now, sent | {"year": _year_or_none(year)})
            context = {"rounds": list_rounds(session, actor), "error": error, **form}
        return render(request, "pages/rounds.html", context, status_code=error.status_code)
    assert created.id is not None
    return RedirectResponse(round_url(request, created.id, besked="oprettet"), status_code=303)


def _year_or_none(text: str) -> int | None:
    return int(text) if text.strip().isdigit() else None


def _parse_year(text: str) -> int | None:
    if not text.strip():
        return None
    if not text.strip().isdigit():
        raise InvalidInput("Statusåret skal være et årstal, fx 2025.", field="year")
    return int(text)


def _parse_date(text: str, field: str, label: str) -> date | None:
    if not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(f"{label} skal være en dato (åååå-mm-dd).", field=field) from None


@router.get("/runder/{round_id}", name="round_overview")
def overview(
    request: Request,
    round_id: PathId,
    session: ReadSession,
    actor: CurrentActor,
    now: Now,
    settings: SettingsDep,
    state: Annotated[str, Query(max_length=30)] = "",
    sort: Annotated[str, Query(max_length=30)] = "name",
    besked: Annotated[str, Query(max_length=30)] = "",
) -> Response:
    overview = follow_up(session, actor, round_id, now=now, state=parse_state_filter(state), sort=sort)
    context = {
        "overview": overview,
        "states": list(FollowUpState),
        "sorts": SORTS,
        "message": MESSAGES.get(besked),
        "mail_notice": _mail_notice(settings),
    }
    return render(request, "pages/follow_up.html", context)


def _lifecycle_route(path: str, command: Callable[..., ReportingRound], message: str) -> None:
    @router.post(f"/runder/{{round_id}}/{path}", name=f"round_{path}")
    def change(request: Request, round_id: PathId, database: DatabaseDep, actor: CurrentActor, now: Now) -> Response:
        with database.write() as session:
            command(session, actor, round_id, now=now)
        return RedirectResponse(round_url(request, round_id, besked=message), status_code=303)


_lifecycle_route("aabn", open_round, "aabnet")
_lifecycle_route("luk", close_round, "lukket")
_lifecycle_route("genaabn", reopen_round, "genaabnet")


@router.post("/runder/{round_id}/plan", name="round_schedule")
def schedule(
    request: Request,
    round_id: PathId,
    database: DatabaseDep,
    actor: CurrentActor,
    now: Now,
    reminder_days: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    with database.write() as session:
        set_reminder_schedule(session, actor, round_id, reminder_days, now=now)
    return RedirectResponse(round_url(request, round_id, besked="plan"), status_code=303)


@router.post("/runder/{round_id}/paamindelser", name="round_remind")
def remind(
    request: Request,
    round_id: PathId,
    database: DatabaseDep,
    actor: CurrentActor,
    now: Now,
    composer: MailComposer,
    municipality_code: Annotated[int | None, Form(ge=1, le=MAX_PATH_ID)] = None,
) -> Response:
    with database.write() as session:
        send_reminders(session, actor, round_id, municipality_code=municipality_code, composer=composer, now=now)
    return RedirectResponse(round_url(request, round_id, besked="paamindet"), status_code=303)


@router.post("/rapporter/{report_id}/godkend", name="report_approve")
def approve(request: Request, report_id: PathId, database: DatabaseDep, actor: CurrentActor, now: Now) -> Response:
    with database.write() as session:
        ref = approve_report(session, actor, report_id, now=now)
    return RedirectResponse(report_url(request, ref.municipality_code, ref.year) + "?besked=godkendt", status_code=303)


@router.post("/rapporter/{report_id}/send-tilbage", name="report_send_back")
def send_back(
    request: Request,
    report_id: PathId,
    database: DatabaseDep,
    actor: CurrentActor,
    now: Now,
    composer: MailComposer,
    settings: SettingsDep,
    code: Annotated[int, Form(ge=1, le=MAX_PATH_ID)],
    year: Annotated[int, Form(ge=2000, le=2100)],
    comment: Annotated[str, Form(max_length=20_000)] = "",
) -> Response:
    try:
        with database.write() as session:
            ref, _recipients = send_back_report(session, actor, report_id, comment=comment, now=now, composer=composer)
    except DomainError as error:
        # Shown next to the comment, with the text kept; nothing has changed.
        with database.read() as session:
            page = load_report_page(session, actor, code, year)
        context = {
            "page": page,
            "forms": {},
            "year": year,
            "review_error": error,
            "review_comment": comment,
        }
        return render(request, "pages/report.html", context, status_code=error.status_code)
    suffix = "?besked=sendt-tilbage" + ("" if smtp_configured(settings) else "&mail=venter")
    return RedirectResponse(report_url(request, ref.municipality_code, ref.year) + suffix, status_code=303)
