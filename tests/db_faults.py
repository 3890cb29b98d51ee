"""Make the database itself refuse a write, so a test can prove a command is all-or-nothing
without patching the code under test: a trigger that fails every insert into one table."""

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import text

from app.db import Database, is_sqlite

MESSAGE = "test: inserts into this table fail"


@contextmanager
def inserts_fail(db: Database, table: str) -> Iterator[None]:
    """While inside, every INSERT into ``table`` raises a database error (DBAPIError)."""
    name = f"fail_insert_{table}"
    sqlite = is_sqlite(str(db.write_engine.url))
    if sqlite:
        create = [
            f"CREATE TRIGGER {name} BEFORE INSERT ON {table} BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
        ]
        drop = [f"DROP TRIGGER {name}"]
    else:
        create = [
            f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN RAISE EXCEPTION '{MESSAGE}'; END $$",
            f"CREATE TRIGGER {name} BEFORE INSERT ON {table} FOR EACH ROW EXECUTE FUNCTION {name}()",
        ]
        drop = [f"DROP TRIGGER {name} ON {table}", f"DROP FUNCTION {name}()"]
    with db.write_engine.begin() as connection:
        for statement in create:
            connection.execute(text(statement))
    try:
        yield
    finally:
        with db.write_engine.begin() as connection:
            for statement in drop:
                connection.execute(text(statement))
