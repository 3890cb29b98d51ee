"""Durability: `fremdrift serve` is SIGKILLed while saves stream in; after a restart every save it
acknowledged is there, in the row and in its history, and the database passes its integrity check
(SQLite: ``PRAGMA integrity_check``; PostgreSQL: amcheck on every B-tree index, heap included).

A SIGKILL ends the process, not the machine: what SQLite (WAL, ``synchronous=NORMAL``) and
PostgreSQL have written to the operating system survives it. docs/operations.md says what a power
cut can still take."""

import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import select

from app.db import Database, is_sqlite
from app.models import StatusChange, StatusEntry
from tests.processes import ServerProcess, Tab
from tests.scenarios import World

ROWS = ("hov15-v1", "hov15-v2", "hov15-v3")
ACKS_BEFORE_KILL = 45
COLOURS = ("green", "yellow", "red")


@dataclass(frozen=True)
class Ack:
    entry_id: int
    version: int
    colour: str
    remark: str


def stream_saves(tab: Tab, entry_id: int, version: int, acks: list[Ack], stop: threading.Event) -> None:
    """Save one row again and again until the server goes away; record what it acknowledged."""
    n = 0
    while not stop.is_set():
        n += 1
        colour, remark = COLOURS[n % 3], f"Gemning {n} af række {entry_id}"
        try:
            response = tab.save(entry_id, version, colour, remark)
        except Exception:  # the server was killed under this request: not acknowledged
            return
        if response.status_code != 200:
            return
        version = tab.version_of(response)
        acks.append(Ack(entry_id, version, colour, remark))


def integrity_problems(database: Database, url: str) -> list[str]:
    with database.read() as session:
        if is_sqlite(url):
            return [row for (row,) in session.execute(text("PRAGMA integrity_check")) if row != "ok"]
        session.execute(text("CREATE EXTENSION IF NOT EXISTS amcheck SCHEMA public"))
        indexes = session.execute(
            text(
                "SELECT c.oid::regclass::text FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                "JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_am a ON a.oid = c.relam "
                "WHERE n.nspname = current_schema() AND a.amname = 'btree'"
            )
        ).all()
        assert indexes, "no index checked"
        for (index,) in indexes:
            session.execute(text("SELECT public.bt_index_check(CAST(:index AS regclass), true)"), {"index": index})
        session.commit()
    return []


def test_every_acknowledged_save_survives_a_sigkill(world: World, database_url: str, tmp_path: Path) -> None:
    entries = [world.entry(key) for key in ROWS]
    session_token = world.browser(world.editor).session_cookie
    assert session_token is not None
    world.db.dispose()  # the test's own connections stay out of the server's way

    acks: list[Ack] = []
    stop = threading.Event()
    server = ServerProcess(database_url, tmp_path / "server.log").start()
    tabs = [Tab(server.base_url, session_token) for _ in entries]
    try:
        streams = [
            threading.Thread(target=stream_saves, args=(tab, entry.id, entry.version, acks, stop))
            for tab, entry in zip(tabs, entries, strict=True)
        ]
        for stream in streams:
            stream.start()
        while len(acks) < ACKS_BEFORE_KILL and any(s.is_alive() for s in streams):
            threading.Event().wait(0.01)
        server.kill()  # mid-stream: each client has a save in flight
        stop.set()
        for stream in streams:
            stream.join(15)
    finally:
        server.kill()
        for tab in tabs:
            tab.close()
    assert len(acks) >= ACKS_BEFORE_KILL, (tmp_path / "server.log").read_text()[-2000:]

    # Restarted on the same database, the server answers and every acknowledged save is there.
    landed = 0  # saves in flight at the kill that committed without their answer reaching the client
    with ServerProcess(database_url, tmp_path / "server.log") as restarted:
        tab = Tab(restarted.base_url, session_token)
        with world.db.read() as session:
            for entry in entries:
                saved = session.get(StatusEntry, entry.id)
                assert saved is not None
                last = max(ack.version for ack in acks if ack.entry_id == entry.id)
                # At most the one save in flight at the kill may have landed without its answer.
                assert saved.version in (last, last + 1), (entry.id, saved.version, last)
                landed += saved.version - last
                # No half save: every version up to the row's has its history (the remark always changed).
                remarks = {
                    change.version
                    for change in session.exec(
                        select(StatusChange).where(StatusChange.entry_id == entry.id, StatusChange.field == "remark")
                    )
                }
                assert set(range(entry.version + 1, saved.version + 1)) <= remarks
                assert max(remarks) == saved.version
            history = {
                (change.entry_id, change.version, change.field): change.new_value
                for change in session.exec(select(StatusChange).where(StatusChange.field == "remark"))
            }
        for ack in acks:
            assert history.get((ack.entry_id, ack.version, "remark")) == ack.remark, ack
        # And saving goes on from where the database is.
        with world.db.read() as session:
            current = session.get(StatusEntry, entries[0].id)
            assert current is not None
        response = tab.save(entries[0].id or 0, current.version, "green", "Efter genstart")
        assert response.status_code == 200 and "Efter genstart" in response.text
        tab.close()
    assert integrity_problems(world.db, database_url) == []
    # The run's figures, for docs/operations.md (shown with pytest -s).
    backend = "SQLite" if is_sqlite(database_url) else "PostgreSQL"
    print(
        f"\ndurability ({backend}): {len(acks)} acknowledged saves on {len(entries)} rows before SIGKILL, "
        f"all present after restart; {landed} unanswered in-flight save(s) landed; integrity check clean"
    )


def _children(pid: int) -> set[int]:
    children: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        children |= {int(child) for child in (task / "children").read_text().split()}
    return children


def _has_ended(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return True
    return state in ("Z", "X")  # exited; its new parent may not have reaped it yet


@pytest.mark.only_on("sqlite")  # about processes, not the database
@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads the process tree from Linux's /proc")
def test_the_render_process_ends_when_the_server_is_killed(world: World, database_url: str, tmp_path: Path) -> None:
    coordinator = world.browser(world.coordinator).session_cookie
    assert coordinator is not None
    pdf_url = f"/runder/{world.round.id}/rapport.pdf"
    world.db.dispose()
    env = {"FREMDRIFT_WORKER_INTERVAL_SECONDS": "0.05"}
    with ServerProcess(database_url, tmp_path / "server.log", env=env) as server:
        assert server.process is not None
        tab = Tab(server.base_url, coordinator)
        try:
            deadline = time.monotonic() + 60
            while tab.http.get(pdf_url).status_code != 200:  # the render process has rendered it
                assert time.monotonic() < deadline, (tmp_path / "server.log").read_text()[-2000:]
                time.sleep(0.2)
        finally:
            tab.close()
        render_processes = _children(server.process.pid)
        assert render_processes, "no render process"
        server.kill()
    deadline = time.monotonic() + 10
    while not all(_has_ended(pid) for pid in render_processes) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert [pid for pid in render_processes if not _has_ended(pid)] == []
