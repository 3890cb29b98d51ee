"""A dump of every row in the database, to prove that something changed nothing."""

from typing import Any

from sqlalchemy import inspect, select, text
from sqlmodel import SQLModel

from app.db import Database


def dump_database(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in a fixed order: two dumps are equal when nothing was written."""
    with db.read_engine.connect() as connection:
        dump: dict[str, list[tuple[Any, ...]]] = {
            "(tables)": [(name,) for name in sorted(inspect(connection).get_table_names())],
            "alembic_version": [tuple(row) for row in connection.execute(text("SELECT * FROM alembic_version"))],
        }
        for table in SQLModel.metadata.sorted_tables:
            order = list(table.primary_key.columns) or list(table.columns)
            dump[table.name] = [tuple(row) for row in connection.execute(select(table).order_by(*order))]
    return dump
