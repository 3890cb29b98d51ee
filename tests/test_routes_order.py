"""The pages are matched before the API (the frequent requests first, issue 17): that must never
let a page route take a request meant for the API."""

import re
from typing import Any

from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from starlette.routing import Match

from app.config import Settings
from app.main import create_app


def sample_path(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", path)


def test_no_page_route_matches_a_path_of_the_api(tmp_path: Any) -> None:
    app: FastAPI = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'routes.db'}"))
    routes: list[Any] = list(iter_route_contexts(app.routes))
    api = [route for route in routes if str(getattr(route, "path", "")).startswith("/api/")]
    pages = [route for route in routes if route not in api and hasattr(route, "methods")]
    assert len(api) >= 20 and len(pages) >= 40
    for route in api:
        for method in route.methods or ("GET",):
            scope = {"type": "http", "method": method, "path": sample_path(route.path), "root_path": ""}
            taken = [page.path for page in pages if page.matches(scope)[0] != Match.NONE]
            assert taken == [], f"{method} {route.path} would be taken by {taken}"
