"""WeasyPrint, loaded once per process: one ``FontConfiguration``, one parsed stylesheet, one
image cache, reused by every render (a new ``FontConfiguration`` reloads every system font, and
importing WeasyPrint costs a second or more, so a worker that stays up renders much faster).

Every render is PDF/UA-1 (tagged, with title, language and metadata from the HTML head) and
fetches nothing but the app's own static files (``fetcher.StaticOnlyFetcher``).
"""

import threading
import time
from dataclasses import dataclass
from functools import cache
from typing import Any

from app.config import STATIC_DIR
from app.pdf.fetcher import StaticOnlyFetcher

STYLESHEET = STATIC_DIR / "pdf" / "report.css"
PDF_VARIANT = "pdf/ua-1"


@dataclass(frozen=True)
class RenderedPdf:
    pdf: bytes
    pages: int
    seconds: float


class Renderer:
    """What a process keeps loaded between renders. Renders run one at a time per process: the
    font configuration is not meant to be shared between threads, and one render keeps a core
    busy anyway."""

    def __init__(self) -> None:
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration

        self.fetcher = StaticOnlyFetcher()
        self.font_config = FontConfiguration()
        self.stylesheet = CSS(
            filename=str(STYLESHEET),
            url_fetcher=self.fetcher,
            font_config=self.font_config,
        )
        self.image_cache: dict[str, Any] = {}
        self._lock = threading.Lock()

    def render(self, html: str) -> RenderedPdf:
        """The PDF for a complete HTML document (``templates/pdf/*.html``)."""
        from weasyprint import HTML

        started = time.perf_counter()
        with self._lock:
            document = HTML(string=html, base_url=self.fetcher.base_url, url_fetcher=self.fetcher).render(
                font_config=self.font_config,
                stylesheets=[self.stylesheet],
                pdf_variant=PDF_VARIANT,
                cache=self.image_cache,
            )
            pdf = document.write_pdf(pdf_variant=PDF_VARIANT)
        assert isinstance(pdf, bytes)
        return RenderedPdf(pdf, len(document.pages), time.perf_counter() - started)


@cache
def renderer() -> Renderer:
    """The process's renderer, built on first use."""
    return Renderer()
