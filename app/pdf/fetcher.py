"""The only way a PDF render reaches for a file: the app's own static files, nothing else.

Remarks are escaped by the templates, so markup in a remark is text; this fetcher is the second
wall. A ``file:`` URL outside ``static/``, ``http(s):``, ``data:`` and every other scheme are
refused without being opened, and a refusal is recorded so tests can show what was asked for.
"""

import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint.urls import URLFetcher, URLFetcherResponse

from app.config import STATIC_DIR

# What a report may load: its fonts, its stylesheet, images and icons.
ALLOWED_SUFFIXES = frozenset({".ttf", ".otf", ".css", ".svg", ".png"})


class Refused(ValueError):
    """The renderer asked for something outside the app's static files."""


class StaticOnlyFetcher(URLFetcher):  # type: ignore[misc]  # WeasyPrint ships no type hints
    """A WeasyPrint URL fetcher that serves files under ``static/`` and refuses everything else."""

    def __init__(self, root: Path = STATIC_DIR) -> None:
        super().__init__(allowed_protocols=("file",), allow_redirects=False)
        self.root = root.resolve()
        self.refused: list[str] = []

    @property
    def base_url(self) -> str:
        return self.root.as_uri() + "/"

    def resolve(self, url: str) -> Path:
        """The file under ``root`` that ``url`` names; ``Refused`` for anything else."""
        parts = urlsplit(url)
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            raise Refused(f"not one of the app's static files: {url}")
        path = Path(unquote(parts.path)).resolve()
        if not path.is_relative_to(self.root) or path.suffix.lower() not in ALLOWED_SUFFIXES:
            raise Refused(f"not one of the app's static files: {url}")
        if not path.is_file():
            raise Refused(f"no such static file: {url}")
        return path

    def fetch(self, url: str, headers: object = None) -> URLFetcherResponse:
        try:
            path = self.resolve(url)
        except Refused:
            self.refused.append(url)
            raise
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if path.suffix.lower() in (".ttf", ".otf"):
            content_type = "font/ttf" if path.suffix.lower() == ".ttf" else "font/otf"
        return URLFetcherResponse(path.as_uri(), path.read_bytes(), {"Content-Type": content_type})
