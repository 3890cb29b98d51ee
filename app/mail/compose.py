"""Mail templates: plain text and HTML, in Danish, from ``templates/mail/``.

``templates/mail/<kind>.txt`` holds the subject on its first line, a blank line, then the
plain-text body; ``templates/mail/<kind>.html`` holds the HTML body (it extends ``_layout.html``).
Both get the notice's context plus ``public_url`` (no trailing slash) and ``link(path)``, which
makes an absolute link to a page of the app.
"""

from collections.abc import Mapping
from datetime import date
from typing import Any

from babel.dates import format_date
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from app.config import TEMPLATES_DIR
from app.domain.outbox import ComposedMail, Notice

_env = Environment(
    loader=FileSystemLoader(TEMPLATES_DIR / "mail"),
    autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
    undefined=StrictUndefined,
    keep_trailing_newline=True,
    trim_blocks=True,
    lstrip_blocks=True,
)


def _danish_date(value: date | None) -> str:
    return format_date(value, format="long", locale="da_DK") if value else ""


_env.filters["danish_date"] = _danish_date


def render_mail(kind: str, context: Mapping[str, Any], *, public_url: str) -> ComposedMail:
    """Render the mail of ``kind`` with ``context``."""
    base = public_url.rstrip("/")
    values = {**context, "public_url": base, "link": lambda path: f"{base}{path}"}
    subject, _blank, text = _env.get_template(f"{kind}.txt").render(values).partition("\n\n")
    html = _env.get_template(f"{kind}.html").render(values)
    return ComposedMail(subject=subject.strip(), text=text.strip() + "\n", html=html)


class Composer:
    """Renders a domain ``Notice`` as a mail; the domain is handed one and never renders itself."""

    def __init__(self, public_url: str) -> None:
        self.public_url = public_url

    def __call__(self, notice: Notice) -> ComposedMail:
        return render_mail(notice.kind, notice.context, public_url=self.public_url)
