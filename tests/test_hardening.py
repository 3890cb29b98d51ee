"""Defects found by probing the running app from outside (issue 17, part 1), each reproduced here:
huge ids, unexpected errors, chunked bodies, forwarded headers, log-in floods, catalogue bombs,
the API's error shape, and bidirectional control characters."""

import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from app import cli
from app.api.errors import ApiError
from app.config import Settings, get_settings
from app.db import Database
from app.domain.catalogue_file import MAX_CATALOGUE_BYTES, CatalogueInvalid, parse_catalogue_file, parse_catalogue_text
from app.domain.text import clean_text
from app.main import create_app
from app.security import passwords
from app.security.api_request import is_api_request
from app.security.csrf import CSRF_HEADER
from app.security.limits import MAX_BODY_BYTES
from tests.factories import ALLEROED, PASSWORD
from tests.scenarios import YEAR, Browser, Req, World, changed_tables, open_browser, snapshot

HEADERS = ("content-security-policy", "x-content-type-options", "x-frame-options", "referrer-policy")
ENGLISH = re.compile(r"Input should|Field required|Internal Server Error|Not Found|error parsing|exceeded", re.I)


def has_security_headers(response: Any) -> bool:
    return all(name in response.headers for name in HEADERS)


# ---------------------------------------------------------------------------- ids and years in paths


def int_path_routes(app: FastAPI) -> Iterator[tuple[str, str, list[str], dict[str, str]]]:
    """(method, path, its integer parameters, a plausible value for each other parameter)."""
    route: Any
    for route in iter_route_contexts(app.routes):
        if getattr(route, "dependant", None) is not None:
            params = route.dependant.path_params
            names = [p.name for p in params if p.field_info.annotation is int]
            others = {p.name: "x" for p in params if p.field_info.annotation is not int}
            for method in sorted(route.methods or ()) if names else ():
                yield method, str(route.path), names, others


def test_every_integer_in_every_path_is_bounded_with_a_danish_422(world: World) -> None:
    browser = world.browser(world.editor)
    routes = list(int_path_routes(world.app))
    assert len(routes) >= 12  # web and API
    before = snapshot(world.db)
    for method, path, names, others in routes:
        for name in names:
            for huge in (2**31, 2**63, -1, 0):
                values = others | {n: (YEAR if n == "year" else ALLEROED) for n in names} | {name: huge}
                url = path.format(**values)
                body: dict[str, Any] = {"json": {}} if url.startswith("/api") else {"data": {"version": "1"}}
                response = browser.client.request(
                    method, url, headers={CSRF_HEADER: browser.token}, follow_redirects=False, **body
                )
                assert response.status_code == 422, f"{method} {url}: {response.status_code} {response.text[:200]}"
                assert has_security_headers(response), url
                assert not ENGLISH.search(response.text), response.text[:300]
                assert name in response.text, url
    assert changed_tables(before, snapshot(world.db)) == []


def test_the_api_names_the_bad_path_parameter_in_danish(world: World) -> None:
    response = world.browser(world.editor).client.get(f"/api/entries/{2**63}/history")
    assert response.status_code == 422
    answer = ApiError.model_validate(response.json())
    assert answer.code == "RequestInvalid"
    assert [(p.field, p.message) for p in answer.problems] == [("path.entry_id", "må højst være 2147483647")]


# ---------------------------------------------------------------------------- the last resort


def test_an_unexpected_error_gets_a_danish_500_with_the_security_headers(app: FastAPI) -> None:
    def boom() -> None:
        raise RuntimeError("en fejl, ingen havde forudset")

    app.add_api_route("/fejl-til-test", boom)
    app.add_api_route("/api/fejl-til-test", boom)
    client = TestClient(app, raise_server_exceptions=False)

    page = client.get("/fejl-til-test")
    assert page.status_code == 500
    assert has_security_headers(page)
    assert page.headers["content-type"].startswith("text/html")
    assert "Der opstod en uventet fejl på serveren" in page.text and 'lang="da"' in page.text
    assert "forudset" not in page.text  # nothing of the error itself leaks

    api = client.get("/api/fejl-til-test")
    assert api.status_code == 500 and has_security_headers(api)
    assert ApiError.model_validate(api.json()).code == "ServerError"


# ---------------------------------------------------------------------------- bodies without a length


def chunks(size: int) -> Iterator[bytes]:
    sent = 0
    piece = b"remark=" + b"x" * 65_529
    while sent < size:
        yield piece
        sent += len(piece)


def test_a_chunked_body_over_the_limit_gets_a_danish_413_for_forms_and_json(world: World) -> None:
    browser = world.browser(world.editor)
    row = world.entry("hov15-v1")
    before = snapshot(world.db)
    three_mib = 3 * 1024 * 1024
    form_headers = {"Content-Type": "application/x-www-form-urlencoded", "HX-Request": "true"}

    # HTMX sends the token in a header; the app's own form parser must not get to say no first.
    page = browser.client.post(
        f"/raekker/{row.id}", content=chunks(three_mib), headers={**form_headers, CSRF_HEADER: browser.token}
    )
    assert "content-length" not in page.request.headers
    assert page.status_code == 413 and "Anmodningen er for stor" in page.text and has_security_headers(page)

    # A plain form carries the token in its body, which the CSRF check itself reads.
    plain = browser.client.post(f"/raekker/{row.id}", content=chunks(three_mib), headers=form_headers)
    assert plain.status_code == 413 and "Anmodningen er for stor" in plain.text

    api = browser.client.put(
        f"/api/entries/{row.id}",
        content=(b"{" + b" " * 65_536 for _ in range(48)),
        headers={"Content-Type": "application/json", CSRF_HEADER: browser.token},
    )
    assert api.status_code == 413
    assert (
        ApiError.model_validate(api.json()).detail
        == f"Anmodningen er for stor: højst {MAX_BODY_BYTES // 1024} kB er tilladt."
    )
    assert changed_tables(before, snapshot(world.db)) == []


def test_a_chunked_body_under_the_limit_is_saved_as_sent(world: World) -> None:
    browser = world.browser(world.editor)
    row = world.entry("hov15-v1")
    body = f"colour=green&remark=Sendt+i+bidder&version={row.version}".encode()
    response = browser.client.post(
        f"/raekker/{row.id}",
        content=iter([body[:10], body[10:]]),
        headers={"Content-Type": "application/x-www-form-urlencoded", "HX-Request": "true", CSRF_HEADER: browser.token},
    )
    assert response.status_code == 200, response.text[:300]
    assert "Sendt i bidder" in response.text


# ---------------------------------------------------------------------------- forwarded headers


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    seen: dict[str, Any] = {}
    monkeypatch.setattr("uvicorn.run", lambda *args, **kwargs: seen.update(kwargs))
    get_settings.cache_clear()
    yield seen
    get_settings.cache_clear()


def test_serve_trusts_no_forwarded_header_by_default(served: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FREMDRIFT_TRUSTED_PROXIES", raising=False)
    monkeypatch.delenv("FORWARDED_ALLOW_IPS", raising=False)
    assert CliRunner().invoke(cli.app, ["serve"]).exit_code == 0
    assert served["proxy_headers"] is False
    assert served["forwarded_allow_ips"] is None


def test_serve_trusts_forwarded_headers_from_the_named_proxies_only(
    served: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FREMDRIFT_TRUSTED_PROXIES", "10.0.0.5, 10.1.0.0/16")
    assert CliRunner().invoke(cli.app, ["serve"]).exit_code == 0
    assert served["proxy_headers"] is True
    assert served["forwarded_allow_ips"] == ["10.0.0.5", "10.1.0.0/16"]


# ---------------------------------------------------------------------------- log-in floods


def log_in_form(email: str, password: str) -> Req:
    return Req.of_form("/login", {"email": email, "password": password})


def test_too_many_log_ins_at_once_get_a_danish_503_and_nothing_is_checked(
    world: World, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(passwords, "hashing", passwords._HashingSlots(1, 0, 0.01))
    # One failure allowed: a busy answer that counted as a try would lock the editor out.
    app = create_app(settings.model_copy(update={"login_max_failures": 1}), world.db)
    browser = open_browser(app, world.db)
    before = snapshot(world.db)
    with passwords.hashing.slot():  # another log-in is hashing
        response = browser.send(log_in_form(world.editor.email, PASSWORD), csrf="field", htmx=False)
    assert response.status_code == 503
    assert response.headers["retry-after"] == "2"
    assert passwords.BUSY_MESSAGE in response.text
    assert changed_tables(before, snapshot(world.db)) == []  # not even the attempt is kept
    # Afterwards the same log-in works.
    assert browser.send(log_in_form(world.editor.email, PASSWORD), csrf="field", htmx=False).status_code == 303


def test_a_burst_of_wrong_log_ins_gets_the_limit_of_answers_and_then_the_throttle(
    world: World, settings: Settings
) -> None:
    app = create_app(settings.model_copy(update={"login_max_failures": 3}), world.db)
    browsers = [open_browser(app, world.db) for _ in range(8)]
    started = threading.Barrier(len(browsers), timeout=30)
    statuses: list[int] = []

    def guess(browser: Browser) -> None:
        started.wait()
        statuses.append(
            browser.send(log_in_form(world.editor.email, "forkert-kodeord"), csrf="field", htmx=False).status_code
        )

    threads = [threading.Thread(target=guess, args=(browser,)) for browser in browsers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    # Three guesses were checked and answered "wrong"; the rest were refused without a check.
    assert sorted(statuses) == [401] * 3 + [429] * 5
    refused = browsers[0].send(log_in_form(world.editor.email, PASSWORD), csrf="field", htmx=False)
    assert refused.status_code == 429
    assert "For mange mislykkede forsøg." in refused.text


def test_a_save_does_not_wait_for_a_log_in_s_password_check(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    release = threading.Event()
    hashing = threading.Event()
    real_verify = passwords._hasher.verify

    def slow_verify(password: str, password_hash: str) -> bool:
        hashing.set()
        release.wait(10)
        return real_verify(password, password_hash)

    monkeypatch.setattr(passwords._hasher, "verify", slow_verify)
    visitor = open_browser(world.app, world.db)
    login = threading.Thread(
        target=lambda: visitor.send(log_in_form(world.editor.email, "forkert-kodeord"), csrf="field", htmx=False)
    )
    login.start()
    try:
        assert hashing.wait(10)
        row = world.entry("hov15-v1")
        started = time.monotonic()
        saved = world.browser(world.editor).send(
            Req.of_form(f"/raekker/{row.id}", {"colour": "red", "remark": "", "version": row.version})
        )
        assert saved.status_code == 200
        assert not release.is_set() and time.monotonic() - started < 5
    finally:
        release.set()
        login.join(20)


# ---------------------------------------------------------------------------- catalogue files

ALIAS_BOMB = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


def test_a_yaml_alias_bomb_is_refused_at_once_with_its_line() -> None:
    started = time.process_time()
    with pytest.raises(CatalogueInvalid) as refused:
        parse_catalogue_text(ALIAS_BOMB.encode(), "bombe.yaml")
    assert time.process_time() - started < 1
    [problem] = refused.value.problems
    assert problem.line == 1 and "aliaser" in problem.message and str(problem).startswith("bombe.yaml:1:")


def test_a_single_anchor_and_alias_is_refused_too() -> None:
    text = "schema: 1\nid: x\nkkr: &k KKR Hovedstaden\ntitle: *k\n"
    with pytest.raises(CatalogueInvalid) as refused:
        parse_catalogue_text(text.encode(), "k.yaml")
    assert refused.value.problems[0].line == 3


def test_a_catalogue_file_over_the_size_limit_is_refused(tmp_path: Path) -> None:
    big = tmp_path / "stor.yaml"
    big.write_bytes(b"# " + b"x" * (6 * 1024 * 1024) + b"\n")
    with pytest.raises(CatalogueInvalid) as refused:
        parse_catalogue_file(big)
    assert refused.value.problems[0].message == (
        f"filen er 6.145 kB; en katalogfil må højst være {MAX_CATALOGUE_BYTES // 1024} kB"
    )
    with pytest.raises(CatalogueInvalid):
        parse_catalogue_text(big.read_bytes(), "stor.yaml")


# ---------------------------------------------------------------------------- the API's error shape


def test_every_api_error_is_documented_as_the_shape_it_has(app: FastAPI) -> None:
    schema = app.openapi()
    assert "HTTPValidationError" not in schema["components"]["schemas"]
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for status, response in operation["responses"].items():
                if status.startswith(("4", "5")):
                    ref = response["content"]["application/json"]["schema"]["$ref"]
                    assert ref == "#/components/schemas/ApiError", (method, path, status)


def test_api_validation_errors_are_danish_and_match_the_schema(world: World) -> None:
    browser = world.browser(world.editor)
    row = world.entry("hov15-v1")
    body = {"colour": "purple", "remark": "ok", "opted_out": "kanske", "version": "abc"}
    response = browser.send(Req.of_json("PUT", f"/api/entries/{row.id}", body))
    assert response.status_code == 422
    answer = ApiError.model_validate(response.json())
    messages = {p.field: p.message for p in answer.problems}
    assert messages["version"] == "skal være et heltal"
    assert messages["opted_out"] == "skal være sand eller falsk (true/false)"
    assert not ENGLISH.search(response.text), response.text
    assert answer.detail.startswith("Ugyldig anmodning: ")


def test_api_404_405_and_401_are_danish_in_the_same_shape(world: World) -> None:
    anonymous = open_browser(world.app, world.db)
    for response, status in (
        (anonymous.client.get("/api/findes-ikke"), 404),
        (anonymous.client.delete("/api/me", headers={CSRF_HEADER: anonymous.token}), 405),
        (anonymous.client.get("/api/me"), 401),
        (anonymous.client.post("/api/reports/201/2026/start", json={}), 403),  # no CSRF token
    ):
        assert response.status_code == status
        answer = ApiError.model_validate(response.json())
        assert not ENGLISH.search(answer.detail), answer


def test_one_function_says_what_an_api_request_is() -> None:
    assert is_api_request("/api/entries/1") and is_api_request("/api/openapi.json")
    assert not is_api_request("/api/docs") and not is_api_request("/apiary") and not is_api_request("/raekker/1")


# ---------------------------------------------------------------------------- bidirectional controls


def test_bidirectional_controls_are_stripped_from_text() -> None:
    tricky = "Godkendt\u202e tset ikke\u202c \u2066ok\u2069 \u200fslut\u200e"
    assert clean_text(tricky, field="remark", label="Bemærkningen", max_length=100) == "Godkendt tset ikke ok slut"


def test_a_remark_with_a_right_to_left_override_is_saved_without_it(world: World, db: Database) -> None:
    row = world.entry("hov15-v1")
    form = {"colour": "green", "remark": "Vi er \u202eikke\u202c i gang", "version": row.version}
    response = world.browser(world.editor).send(Req.of_form(f"/raekker/{row.id}", form))
    assert response.status_code == 200
    assert world.entry("hov15-v1").remark == "Vi er ikke i gang"
