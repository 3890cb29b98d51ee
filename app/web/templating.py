"""The one Jinja environment, with Danish formatting and the CSRF token in every template."""

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal
from fastapi import Request
from fastapi.responses import Response
from jinja2 import pass_context
from jinja2_fragments.fastapi import Jinja2Blocks
from markupsafe import Markup

from app.config import TEMPLATES_DIR
from app.domain.access import manages_accounts
from app.domain.accounts import actor_of
from app.domain.accounts.admin import MAX_SEARCH_LENGTH
from app.domain.accounts.users import MAX_NAME_LENGTH
from app.domain.reports.rules import MAX_COMMENT_LENGTH, MAX_COMMITTEE_LENGTH, MAX_URL_LENGTH
from app.domain.statuses import MAX_REASON_LENGTH, MAX_REMARK_LENGTH
from app.domain.text import MAX_EMAIL_LENGTH, genitive
from app.domain.vocabulary import Colour, Kind, RoundState

COPENHAGEN = ZoneInfo("Europe/Copenhagen")


def danish_date(value: date | None, style: str = "long") -> str:
    return format_date(value, format=style, locale="da_DK") if value else ""


def danish_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    return format_datetime(value.astimezone(COPENHAGEN), format="d. MMM y 'kl.' HH:mm", locale="da_DK")


def _context(request: Request) -> dict[str, Any]:
    user = getattr(request.state, "user", None)
    return {
        "csrf_token": request.scope.get("state", {}).get("csrf_token", ""),
        "current_user": user,
        "manages_accounts": user is not None and manages_accounts(actor_of(user)),
        "colours": list(Colour),
        "demo_mode": request.app.state.settings.demo,
    }


templates = Jinja2Blocks(directory=str(TEMPLATES_DIR), context_processors=[_context])
templates.env.filters["danish_date"] = danish_date
templates.env.filters["danish_datetime"] = danish_datetime
templates.env.globals["Colour"] = Colour
templates.env.globals["Kind"] = Kind
# The domain's limits, so a form's maxlength and its help text say what the rule says.
templates.env.globals["limits"] = {
    "remark": MAX_REMARK_LENGTH,
    "reason": MAX_REASON_LENGTH,
    "committee": MAX_COMMITTEE_LENGTH,
    "url": MAX_URL_LENGTH,
    "comment": MAX_COMMENT_LENGTH,
    "email": MAX_EMAIL_LENGTH,
    "name": MAX_NAME_LENGTH,
    "search": MAX_SEARCH_LENGTH,
}


def path_for(request: Request, route: str, /, **params: Any) -> str:
    """The path of the route called ``route``, never built by hand. A path, not Starlette's absolute
    ``url_for``: the host and scheme are the browser's, so the app works behind a proxy."""
    return str(request.app.url_path_for(route, **params))


@pass_context
def url(context: Any, route: str, /, **params: Any) -> str:
    """``url("report_page", code=101, year=2025)`` in a template: the route's path (a query string
    may follow it)."""
    return path_for(context["request"], route, **params)


templates.env.globals["url"] = url


def icon(name: str, css_class: str = "") -> Markup:
    """One of DKFDS's icons from its vendored sprite, hidden from screen readers (its text says it)."""
    return Markup(
        '<svg class="icon-svg {}" aria-hidden="true" focusable="false">'
        '<use href="/static/vendor/dkfds/img/all-svg-icons.svg#{}"></use></svg>'
    ).format(css_class, name)


templates.env.globals["icon"] = icon


def thousands(value: int) -> str:
    """2000 as a Danish reader writes it: 2.000. (An integer needs no locale data: Babel's
    format_decimal gives the same, at a cost seen in every save's fragment.)"""
    return f"{value:,}".replace(",", ".") if isinstance(value, int) else format_decimal(value, locale="da_DK")


templates.env.filters["thousands"] = thousands


def round_state(value: str) -> str:
    return RoundState(value).label.lower()


def field_value(value: str | None, field: str) -> str:
    """A history value as a reader would say it: "Gul", not "yellow"."""
    if value is None or value == "":
        return "(tom)"
    if field == "colour":
        return Colour(value).label
    return value


templates.env.filters["round_state"] = round_state
templates.env.filters["genitive"] = genitive
templates.env.filters["field_value"] = field_value


def render(
    request: Request,
    name: str,
    context: dict[str, Any],
    *,
    block: str | None = None,
    blocks: list[str] | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    """A page, or with ``block`` just that block of it: the fragment HTMX swaps in (``blocks``:
    several, the first swapped into the target, the rest out of band)."""
    if blocks:
        return templates.TemplateResponse(
            request, name, context, status_code=status_code, headers=headers, block_names=blocks
        )
    if block is not None:
        return templates.TemplateResponse(
            request, name, context, status_code=status_code, headers=headers, block_name=block
        )
    return templates.TemplateResponse(request, name, context, status_code=status_code, headers=headers)


def render_error(request: Request, message: str, status_code: int) -> Response:
    if request.headers.get("hx-request"):
        return render(
            request,
            "pages/error.html",
            {"message": message},
            block="message",
            status_code=status_code,
        )
    return render(
        request,
        "pages/error.html",
        {"message": message, "status_code": status_code},
        status_code=status_code,
    )
