"""Backups and moving all data between databases (`fremdrift backup`, `export-all`, `import-all`).

``backup_sqlite`` copies a live SQLite database with SQLite's online backup API: a consistent
snapshot while the server keeps running (readers and writers are not stopped). PostgreSQL has
``pg_dump`` for that (docs/operations.md).

``export_all`` writes every row of every table as JSON, values in a form both databases read back
the same (aware UTC times and dates as ISO 8601, enums as their stored text); ``import_all`` loads
such a file into a database migrated to the same revision, in one transaction, and moves
PostgreSQL's id sequences past the imported ids. Together they move a deployment from SQLite to
PostgreSQL (or back) without loss.
"""

import json
import sqlite3
from datetime import date, datetime
from enum import Enum
from pathlib import Path
from typing import Any

from sqlalchemy import Column, Date, Table, delete, func, insert, select, text
from sqlalchemy.engine import make_url
from sqlmodel import SQLModel

from app.db import Database, is_sqlite
from app.models.types import UTCDateTime

FORMAT = "fremdrift-export"
FORMAT_VERSION = 1
# Loaded by `fremdrift db upgrade` in every database: replaced by the file's rows on import.
REGISTER_TABLES = frozenset({"kkr", "municipality"})


class BackupError(Exception):
    """A backup, export or import that cannot be done; ``message`` says why, in Danish."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def backup_sqlite(database_url: str, target: Path) -> int:
    """Copy the SQLite database to ``target`` while it is in use; the number of pages copied."""
    if not is_sqlite(database_url):
        raise BackupError("backup virker kun på SQLite; brug pg_dump til PostgreSQL (se docs/operations.md).")
    source_path = make_url(database_url).database
    if not source_path or not Path(source_path).exists():
        raise BackupError(f"databasen {source_path!r} findes ikke.")
    if target.exists():
        raise BackupError(f"{target} findes allerede; vælg et nyt filnavn.")
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
        pages = int(copy.execute("PRAGMA page_count").fetchone()[0])
        if copy.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise BackupError(f"kopien {target} bestod ikke integritetstjekket.")
    finally:
        copy.close()
        source.close()
    return pages


def _tables() -> list[Table]:
    return list(SQLModel.metadata.sorted_tables)


def _encode(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


def _decode(column: Column[Any], value: Any) -> Any:
    if value is None:
        return None
    if isinstance(column.type, UTCDateTime):
        return datetime.fromisoformat(value)
    if isinstance(column.type, Date):
        return date.fromisoformat(value)
    return value


def _revision(database: Database) -> str:
    with database.read() as session:
        return str(session.execute(text("SELECT version_num FROM alembic_version")).scalar_one())


def export_all(database: Database) -> dict[str, Any]:
    """Every row of every table, in primary-key order, as JSON-ready values."""
    tables: dict[str, Any] = {}
    with database.read() as session:
        for table in _tables():
            order = list(table.primary_key.columns) or list(table.columns)
            rows = session.execute(select(table).order_by(*order)).all()
            tables[table.name] = {
                "columns": [column.name for column in table.columns],
                "rows": [[_encode(value) for value in row] for row in rows],
            }
    return {"format": FORMAT, "version": FORMAT_VERSION, "revision": _revision(database), "tables": tables}


def import_all(database: Database, export: dict[str, Any], *, replace: bool = False) -> dict[str, int]:
    """Load an export into ``database`` (migrated to the export's revision), in one transaction.

    Refused if the database already holds data beyond the municipality register, unless
    ``replace``: then everything in it is deleted first. Returns the rows loaded per table.
    """
    if export.get("format") != FORMAT or export.get("version") != FORMAT_VERSION:
        raise BackupError("filen er ikke en eksport fra fremdrift export-all.")
    revision = _revision(database)
    if export["revision"] != revision:
        raise BackupError(
            f"eksporten er fra skemaversion {export['revision']}, databasen har {revision}; "
            "opgrader den ældste med fremdrift db upgrade først."
        )
    tables = _tables()
    loaded: dict[str, int] = {}
    with database.write() as session:
        if not replace:
            for table in tables:
                count = session.execute(select(func.count()).select_from(table)).scalar()
                if table.name not in REGISTER_TABLES and count:
                    raise BackupError(f"databasen har allerede data (tabellen {table.name}); brug --replace.")
        for table in reversed(tables):
            session.execute(delete(table))
        for table in tables:
            data = export["tables"].get(table.name, {"columns": [], "rows": []})
            columns = [table.columns[name] for name in data["columns"]]
            rows = [{c.name: _decode(c, v) for c, v in zip(columns, row, strict=True)} for row in data["rows"]]
            if rows:
                session.execute(insert(table), rows)
            loaded[table.name] = len(rows)
        if not is_sqlite(database.url):
            _advance_sequences(session, tables)
    return loaded


def _advance_sequences(session: Any, tables: list[Table]) -> None:
    """Move each id sequence past the largest imported id (a no-op for keys without one)."""
    for table in tables:
        for column in table.primary_key.columns:
            sequence = session.execute(
                text("SELECT pg_get_serial_sequence(:table, :column)"), {"table": table.name, "column": column.name}
            ).scalar()
            if sequence:
                largest = f'SELECT COALESCE(MAX("{column.name}"), 0) + 1 FROM "{table.name}"'  # noqa: S608 - our names
                session.execute(text(f"SELECT setval(:sequence, ({largest}), false)"), {"sequence": sequence})


def write_export(export: dict[str, Any], target: Path) -> None:
    target.write_text(json.dumps(export, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


def read_export(source: Path) -> dict[str, Any]:
    try:
        data: dict[str, Any] = json.loads(source.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise BackupError(f"{source} kan ikke læses som en eksport: {error}") from error
    return data
