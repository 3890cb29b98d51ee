"""Templates name the routes they link to (``url('report_page', ...)``), never spell out a path:
a path written by hand is a second copy of the route that can silently drift from it."""

import re
from collections import Counter

from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.routing import BaseRoute

from app.config import TEMPLATES_DIR
from app.web import router as web_router

# An attribute that links, posts or fetches (href, action, src, hx-get, hx-post, data-...-url).
LINKING_ATTRIBUTE = re.compile(r"""\b(?:href|action|src|hx-[a-z]+|data-[a-z-]+)=["']/(?!static/)""")
# A path written as a string in a Jinja expression ("/kommuner/" ~ code, "/runder/%d"|format(...)).
PATH_LITERAL = re.compile(r"""\{[{%][^}]*["']/(?!static/)[^"']*["']""")


def _templates() -> list[str]:
    return sorted(str(path.relative_to(TEMPLATES_DIR)) for path in TEMPLATES_DIR.rglob("*.html"))


def test_no_template_writes_an_internal_path_by_hand() -> None:
    found = []
    for name in _templates():
        # Mail links are absolute, made from the public address by link(path) in app/mail/compose.py.
        if name.startswith("mail/"):
            continue
        for number, line in enumerate((TEMPLATES_DIR / name).read_text().splitlines(), start=1):
            if LINKING_ATTRIBUTE.search(line) or PATH_LITERAL.search(line):
                found.append(f"{name}:{number}: {line.strip()}")
    assert found == [], "use url('route_name', ...) instead:\n" + "\n".join(found)


def test_the_walk_finds_a_path_written_by_hand() -> None:
    """The check above is only worth having if it notices what it is meant to."""
    for written in (
        '<a href="/kommuner/{{ code }}/{{ year }}">',
        '<form action="/rapporter/{{ id }}/godkend">',
        '<button hx-post="/raekker/{{ row.entry.id }}">',
        '<a hx-get="/runder/katalogvalg">',
        '{% set base = "/eksport/kkr/" ~ kkr_id %}',
    ):
        assert LINKING_ATTRIBUTE.search(written) or PATH_LITERAL.search(written), written
    for allowed in ('<link href="/static/app.css">', "<a href=\"{{ url('home') }}\">"):
        assert not (LINKING_ATTRIBUTE.search(allowed) or PATH_LITERAL.search(allowed)), allowed


def _route_names(routes: list[BaseRoute]) -> list[str]:
    names = []
    for route in routes:
        inner = getattr(route, "routes", None) or getattr(getattr(route, "original_router", None), "routes", None)
        if inner is not None and not hasattr(route, "path_format"):
            names += _route_names(inner)
        else:
            names.append(getattr(route, "name", ""))
    return names


def test_every_page_has_a_name_of_its_own(app: FastAPI) -> None:
    """url() finds a route by its name; a page sharing its name with another route (an API call
    of the same name, say) would send its links to whichever came first."""
    counts = Counter(_route_names(app.routes))
    pages = _route_names(web_router.routes)
    assert len(pages) > 50
    assert [name for name in pages if counts[name] > 1] == []


def test_links_are_paths_so_the_app_works_behind_a_proxy(app: FastAPI) -> None:
    with TestClient(app, base_url="https://fremdrift.example") as client:
        page = client.get("/login").text
    assert 'action="/login"' in page
    assert 'href="/glemt-adgangskode"' in page
    assert "fremdrift.example" not in page
