"""Schemathesis against the API's own OpenAPI, bounded in time: as an anonymous caller and as a
logged-in editor (session cookie and CSRF header). No answer is a 5xx, and every answer matches
what its operation documents (status code, content type, body schema)."""

from typing import Any

import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from app.security.csrf import CSRF_HEADER, SESSION_COOKIE
from tests.scenarios import World

EXAMPLES = 12  # per operation and caller: the whole file takes well under a minute on SQLite
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
BOUNDED = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,  # the same cases every run, so CI is repeatable
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def fuzz(app: FastAPI, **credentials: Any) -> None:
    """Every operation of the app's schema, EXAMPLES generated cases each, checked with CHECKS."""
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]  # an Err fails the test
    assert len(operations) >= 10
    for operation in operations:

        @given(case=operation.as_strategy())
        @BOUNDED
        def check(case: Any) -> None:
            response = case.call(**credentials)
            case.validate_response(response, checks=CHECKS)

        check()


def test_the_api_as_an_anonymous_caller(app: FastAPI) -> None:
    fuzz(app)


def test_the_api_as_a_logged_in_editor(world: World) -> None:
    browser = world.browser(world.editor)
    cookie = browser.session_cookie
    assert cookie is not None
    fuzz(world.app, headers={CSRF_HEADER: browser.token}, cookies={SESSION_COOKIE: cookie})
