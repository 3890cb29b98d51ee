"""Migrations: an empty database migrated to head is exactly what the models describe, and a
downgrade to base takes every table away again. On SQLite, and on PostgreSQL when configured."""

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, pool, text
from sqlmodel import SQLModel

import app.models  # noqa: F401  (registers every table on the metadata, as migrations/env.py does)
from app import migrate
from tests.conftest import BACKENDS, POSTGRES_URL, schema_url


@pytest.fixture(params=BACKENDS)
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database with nothing in it: a new SQLite file, or a new PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    assert POSTGRES_URL
    schema = f"mig_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL, poolclass=pool.NullPool)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    yield schema_url(POSTGRES_URL, schema)
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def _differences(url: str) -> list[object]:
    """What `alembic revision --autogenerate` would put in a new migration, configured as env.py is."""
    engine = create_engine(url, poolclass=pool.NullPool)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection,
                opts={
                    "target_metadata": SQLModel.metadata,
                    "compare_type": True,
                    "render_as_batch": connection.dialect.name == "sqlite",
                },
            )
            return list(compare_metadata(context, SQLModel.metadata))
    finally:
        engine.dispose()


def _tables(url: str) -> set[str]:
    engine = create_engine(url, poolclass=pool.NullPool)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_upgrade_to_head_gives_exactly_the_tables_the_models_describe(empty_database_url: str) -> None:
    migrate.upgrade(empty_database_url)

    assert _tables(empty_database_url) == {table.name for table in SQLModel.metadata.sorted_tables} | {
        "alembic_version"
    }
    assert _differences(empty_database_url) == []


def test_downgrade_to_base_leaves_no_tables_and_can_upgrade_again(empty_database_url: str) -> None:
    migrate.upgrade(empty_database_url)

    migrate.downgrade(empty_database_url, "base")

    assert _tables(empty_database_url) <= {"alembic_version"}
    if empty_database_url.startswith("postgresql"):
        engine = create_engine(empty_database_url, poolclass=pool.NullPool)
        with engine.connect() as connection:
            left = connection.execute(
                text("SELECT sequence_name FROM information_schema.sequences WHERE sequence_schema = current_schema()")
            ).all()
        engine.dispose()
        assert left == []
    migrate.upgrade(empty_database_url)
    assert _differences(empty_database_url) == []
