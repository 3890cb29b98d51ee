"""Security headers and a strict CSP on every kind of response, and nothing fetched from elsewhere."""

import re

from tests.scenarios import Req, World, open_browser

HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
}


def csp_directives(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def test_every_response_has_security_headers_and_a_csp_without_inline_script(world: World) -> None:
    editor = world.browser(world.editor)
    anonymous = open_browser(world.app, world.db)
    responses = {
        "page": editor.client.get("/kommuner/201/2025"),
        "login": anonymous.client.get("/login"),
        "redirect": anonymous.client.get("/login?next=/", follow_redirects=False),
        "api": editor.client.get("/api/reports/201/2025"),
        "openapi": editor.client.get("/api/openapi.json"),
        "api docs": editor.client.get("/api/docs"),
        "static": editor.client.get("/static/app.css"),
        "not found": editor.client.get("/findes-ikke"),
        "csrf refusal": editor.send(Req.of_form(f"/rapporter/{world.report.id}/indsend"), csrf=None),
        "unauthorised api": anonymous.client.get("/api/me"),
    }
    for name, response in responses.items():
        for header, value in HEADERS.items():
            assert response.headers.get(header) == value, f"{name}: {header}"
        csp = csp_directives(response.headers["content-security-policy"])
        assert csp["default-src"] == ["'self'"], name
        assert csp["script-src"] == ["'self'"], name  # no 'unsafe-inline', no 'unsafe-eval', no other host
        assert csp["object-src"] == ["'none'"], name
        assert csp["frame-ancestors"] == ["'none'"], name
        assert csp["base-uri"] == ["'none'"], name
        assert "'unsafe-inline'" not in response.headers["content-security-policy"], name
        assert "'unsafe-eval'" not in response.headers["content-security-policy"], name


def test_pages_load_scripts_and_styles_only_from_the_app(world: World) -> None:
    browser = world.browser(world.editor)
    for url in ("/", "/login", "/katalog", "/kommuner/201/2025", "/api/docs"):
        html = browser.client.get(url).text
        for attribute in re.findall(r'<(?:script|link|img)\b[^>]*\b(?:src|href)="([^"]+)"', html):
            assert attribute.startswith("/static/"), f"{url}: {attribute}"
        for src in re.findall(r'<script\b[^>]*\bsrc="([^"]+)"', html):
            assert browser.client.get(src).status_code == 200, src
