"""`fremdrift backup` (a consistent SQLite copy while the app writes) and `export-all`/`import-all`
(every table moved between SQLite and PostgreSQL without loss)."""

import shutil
import sqlite3
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from app import migrate
from app.backup import BackupError, export_all, import_all
from app.cli import app as cli
from app.config import get_settings
from app.db import Database, is_sqlite
from app.domain.accounts import actor_of
from app.domain.reports.commands import EntryInput, save_entry
from tests.conftest import POSTGRES_URL, schema_url
from tests.scenarios import World, remark_history


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, database_url: str) -> Iterator[None]:
    monkeypatch.setenv("DATABASE_URL", database_url)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.mark.only_on("sqlite")  # PostgreSQL is backed up with pg_dump
def test_backup_is_a_consistent_copy_taken_while_a_save_is_open(
    world: World, database_url: str, tmp_path: Path, cli_env: None
) -> None:
    entry = world.entry("hov15-v1")
    copy = tmp_path / "kopi.db"
    with world.db.write() as session:  # a save under way, not yet committed, holding the write lock
        save_entry(
            session,
            actor_of(world.editor),
            entry.id or 0,
            EntryInput("red", "Ikke gemt endnu", False, "", entry.version),
            now=datetime.now(UTC),
        )
        result = CliRunner().invoke(cli, ["backup", str(copy)])
        assert result.exit_code == 0, result.output
        assert "integritetstjek ok" in result.output
    # The copy has the database as it was before the open save, whole.
    backup = sqlite3.connect(copy)
    try:
        assert backup.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        remark = backup.execute("SELECT remark FROM status_entry WHERE id = ?", (entry.id,)).fetchone()[0]
    finally:
        backup.close()
    assert remark == entry.remark
    assert remark_history(world.db, entry.id or 0)[-1] == "Ikke gemt endnu"  # and the save itself went on

    again = CliRunner().invoke(cli, ["backup", str(copy)])
    assert again.exit_code == 1 and "findes allerede" in again.output


@pytest.fixture
def other_database(database_url: str, sqlite_template: Path, tmp_path: Path) -> Iterator[str]:
    """A fresh, migrated database on the other backend (PostgreSQL when there is one)."""
    if is_sqlite(database_url) and POSTGRES_URL:
        schema = f"import_{uuid.uuid4().hex[:12]}"
        admin = create_engine(POSTGRES_URL)
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = schema_url(POSTGRES_URL, schema)
        migrate.upgrade(url)
        yield url
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
        return
    path = tmp_path / "other.db"
    shutil.copyfile(sqlite_template, path)
    yield f"sqlite:///{path}"


def test_export_and_import_move_every_table_without_loss(world: World, other_database: str, tmp_path: Path) -> None:
    exported = export_all(world.db)
    assert exported["tables"]["status_change"]["rows"] and exported["tables"]["user_account"]["rows"]
    target = Database(other_database)
    try:
        loaded = import_all(target, exported, replace=True)
        with pytest.raises(BackupError, match="--replace"):
            import_all(target, exported)  # it holds data now: not mixed with more
        assert loaded["status_entry"] == len(exported["tables"]["status_entry"]["rows"])
        assert export_all(target) == exported  # every table, every row, every value

        # The imported database works on: new ids come after the imported ones.
        reports = exported["tables"]["status_entry"]
        entry_id, version = (reports["rows"][0][reports["columns"].index(name)] for name in ("id", "version"))
        editor = world.editor
        with target.write() as session:
            save_entry(
                session,
                actor_of(editor),
                entry_id,
                EntryInput("green", "Efter flytning", False, "", version),
                now=datetime.now(UTC),
            )
        assert remark_history(target, entry_id)[-1] == "Efter flytning"
    finally:
        target.dispose()


def test_import_refuses_a_file_from_another_schema_version(world: World, other_database: str) -> None:
    exported = export_all(world.db) | {"revision": "0000_old"}
    target = Database(other_database)
    try:
        with pytest.raises(BackupError, match="fremdrift db upgrade"):
            import_all(target, exported, replace=True)
    finally:
        target.dispose()


def test_export_all_and_import_all_from_the_command_line(
    world: World, database_url: str, tmp_path: Path, cli_env: None
) -> None:
    file = tmp_path / "alt.json"
    exported = CliRunner().invoke(cli, ["export-all", str(file)])
    assert exported.exit_code == 0 and "rækker fra" in exported.output
    refused = CliRunner().invoke(cli, ["import-all", str(file)])
    assert refused.exit_code == 1 and "--replace" in refused.output
    replaced = CliRunner().invoke(cli, ["import-all", str(file), "--replace"])
    assert replaced.exit_code == 0, replaced.output
    assert "rækker indlæst" in replaced.output
