"""Two `fremdrift serve` processes on one PostgreSQL database (SPEC section 4, scale-out): a
session made through one is good on the other, saves through either land in order, and a save
based on a version the other process has since changed is a conflict, not a silent overwrite.

Runs only on PostgreSQL (SQLite is for one machine and one process)."""

from pathlib import Path

import pytest
from sqlmodel import col, select

from app.db import is_sqlite
from app.models import StatusChange
from app.security.csrf import CSRF_HEADER
from tests.processes import ServerProcess, Tab
from tests.scenarios import World


def test_two_processes_share_sessions_saves_and_conflicts(world: World, database_url: str, tmp_path: Path) -> None:
    if is_sqlite(database_url):
        pytest.skip("several app processes need PostgreSQL")
    entry = world.entry("hov15-v1")
    assert entry.id is not None
    session_token = world.browser(world.editor).session_cookie
    assert session_token is not None
    with (
        ServerProcess(database_url, tmp_path / "a.log") as first,
        ServerProcess(database_url, tmp_path / "b.log") as second,
    ):
        on_first, on_second = Tab(first.base_url, session_token), Tab(second.base_url, session_token)
        try:
            # The session and CSRF token made once hold on both (state is in the database and the key).
            assert on_first.http.get("/api/me").json()["email"] == world.editor.email
            assert on_second.http.get("/api/me").json()["email"] == world.editor.email

            # Saves alternate between the processes, each on the version the other gave back.
            version = entry.version
            for n in range(6):
                tab = (on_first, on_second)[n % 2]
                response = tab.save(entry.id, version, ("green", "yellow")[n % 2], f"Gemt via proces {n % 2 + 1}")
                assert response.status_code == 200, response.text[:300]
                version = tab.version_of(response)
            assert version == entry.version + 6

            # A save on a version the other process has moved on from is refused with the current value.
            stale = on_first.save(entry.id, version - 1, "red", "Min gamle udgave")
            assert stale.status_code == 409
            assert "Gemt via proces 2" in stale.text and "Min gamle udgave" in stale.text

            # Through the API too, on the second process.
            api = on_second.http.put(
                f"/api/entries/{entry.id}",
                json={"colour": "red", "remark": "API", "opted_out": False, "version": version - 2},
                headers={CSRF_HEADER: on_second.headers[CSRF_HEADER]},
            )
            assert api.status_code == 409 and api.json()["current"]["version"] == version
        finally:
            on_first.close()
            on_second.close()

    with world.db.read() as session:
        remarks = [
            change.new_value
            for change in session.exec(
                select(StatusChange)
                .where(StatusChange.entry_id == entry.id, StatusChange.field == "remark")
                .order_by(col(StatusChange.version))
            )
        ]
    assert remarks[-6:] == [f"Gemt via proces {n % 2 + 1}" for n in range(6)]
