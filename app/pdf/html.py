"""The reports as HTML: one Jinja environment for ``templates/pdf/``, used for the PDFs and, with
the same templates, for the report pages of the web app. Autoescaped, so a remark is text."""

from datetime import date
from functools import cache

from babel.dates import format_date
from babel.numbers import format_decimal
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from app.config import TEMPLATES_DIR
from app.domain.documents.shapes import SHORT_LABELS, ConsolidatedReport, CouncilReport, Distribution
from app.domain.documents.texts import paragraphs
from app.domain.rollup.figures import STANDINGS
from app.domain.vocabulary import Change, Kind, Standing
from app.pdf import charts


def danish_date(value: date | None, style: str = "long") -> str:
    return format_date(value, format=style, locale="da_DK") if value else ""


def thousands(value: int) -> str:
    return format_decimal(value, locale="da_DK")


def chart(title: str, bars: list[tuple[str, Distribution]]) -> Markup:
    """A stacked-bar SVG (built from numbers and escaped labels only)."""
    return Markup(charts.stacked_bars(title, [charts.Bar(label, dist) for label, dist in bars]))  # noqa: S704


@cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["danish_date"] = danish_date
    env.filters["thousands"] = thousands
    env.filters["paragraphs"] = paragraphs
    env.globals.update(
        chart=chart,
        describe=charts.describe,
        STANDINGS=STANDINGS,
        SHORT_LABELS=SHORT_LABELS,
        Standing=Standing,
        Kind=Kind,
        Change=Change,
    )
    return env


def consolidated_html(report: ConsolidatedReport, *, web: bool = False) -> str:
    """The consolidated report as a whole HTML document (``web``: the body only, for a page)."""
    name = "pdf/_consolidated.html" if web else "pdf/consolidated.html"
    return environment().get_template(name).render(r=report, web=web)


def council_html(report: CouncilReport, *, web: bool = False) -> str:
    name = "pdf/_council.html" if web else "pdf/council.html"
    return environment().get_template(name).render(r=report, web=web)
