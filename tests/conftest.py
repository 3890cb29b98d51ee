"""Fixtures: a fresh database per test, on SQLite always and on PostgreSQL when
TEST_DATABASE_URL is set, with the register and the seed catalogue loaded."""

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app import migrate
from app.cli import DEFAULT_CATALOGUE, upgrade_database
from app.config import Settings
from app.db import Database
from app.domain.catalogue import load_catalogue
from app.domain.catalogue_file import parse_catalogue_file
from app.main import create_app
from tests.factories import NOW
from tests.scenarios import World, build_world

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL")
BACKENDS = ["sqlite", "postgresql"] if POSTGRES_URL else ["sqlite"]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "only_on(backend): a database test that is about one backend alone")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """``@pytest.mark.only_on("postgresql")``: the test is not collected for the other backends,
    and is skipped (saying why) only when its own backend is not configured here."""
    kept, deselected = [], []
    for item in items:
        marker = item.get_closest_marker("only_on")
        callspec = getattr(item, "callspec", None)
        backend = callspec.params.get("database_url") if callspec else None
        if marker is None or backend is None or backend == marker.args[0]:
            kept.append(item)
        elif marker.args[0] not in BACKENDS and backend == BACKENDS[0]:
            item.add_marker(pytest.mark.skip(reason=f"needs {marker.args[0]}: set TEST_DATABASE_URL"))
            kept.append(item)
        else:
            deselected.append(item)
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = kept


def _load_seed_catalogue(url: str) -> None:
    database = Database(url)
    try:
        with database.write() as session:
            load_catalogue(session, parse_catalogue_file(DEFAULT_CATALOGUE), now=NOW)
    finally:
        database.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file with the register and catalogue, copied for every test."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    url = f"sqlite:///{path}"
    upgrade_database(url)
    _load_seed_catalogue(url)
    return path


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str | None]:
    """A migrated schema on PostgreSQL, cloned table by table for each test."""
    if not POSTGRES_URL:
        yield None
        return
    schema = f"tmpl_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = schema_url(POSTGRES_URL, schema)
    upgrade_database(url)
    _load_seed_catalogue(url)
    yield schema
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def schema_url(base: str, schema: str) -> str:
    url = make_url(base)
    return url.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False)


TABLES_IN_ORDER = [
    "alembic_version",
    "kkr",
    "municipality",
    "catalogue",
    "guideline",
    "focus_area",
    "recommendation",
    "recommendation_replacement",
]


@pytest.fixture(params=BACKENDS)
def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path, postgres_template: str | None
) -> Iterator[str]:
    if request.param == "sqlite":
        path = tmp_path / "test.db"
        shutil.copyfile(sqlite_template, path)
        yield f"sqlite:///{path}"
        return
    assert POSTGRES_URL and postgres_template
    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = schema_url(POSTGRES_URL, schema)
    migrate.upgrade(url)
    with admin.begin() as connection:
        for table in TABLES_IN_ORDER:
            connection.execute(text(f'DELETE FROM "{schema}"."{table}"'))
        for table in TABLES_IN_ORDER:
            connection.execute(text(f'INSERT INTO "{schema}"."{table}" SELECT * FROM "{postgres_template}"."{table}"'))
        # Keep the sequences ahead of the copied ids.
        for table in TABLES_IN_ORDER[1:]:
            if table in ("municipality", "recommendation_replacement"):
                continue
            connection.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('\"{schema}\".\"{table}\"', 'id'), "
                    f'(SELECT COALESCE(MAX(id), 0) + 1 FROM "{schema}"."{table}"), false)'
                )
            )
    yield url
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    yield database
    database.dispose()


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, secret_key="test-secret")


@pytest.fixture
def app(settings: Settings, db: Database) -> FastAPI:
    return create_app(settings, db)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def world(app: FastAPI, db: Database) -> World:
    """The reporting world of ``tests.scenarios``, with the Allerød editor already logged in
    (so a test's snapshot of the tables is taken after the log-in's own writes)."""
    world = build_world(app, db)
    world.browser(world.editor)
    return world
