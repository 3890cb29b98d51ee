"""Benchmark: the product's save against the least the stack needs for the same work (issue 17).

The reference is a minimal FastAPI + SQLModel app in this file: a session lookup by cookie, the
row read and its version checked, the row updated and one history row per changed field written
in one ``BEGIN IMMEDIATE`` transaction on SQLite (WAL, ``synchronous=NORMAL``), and a Jinja
fragment of the row rendered. Both servers run under uvicorn with one worker and the access log,
and both are driven by the same loop: one client saving its own rows, one after the other, over
HTTP. The figure compared is the server's CPU time per save (user + system, from /proc), which
holds on a shared machine where wall-clock times do not.

    .venv/bin/python bench/reference_save.py                # 1000 saves each, then the ratio
    .venv/bin/python bench/reference_save.py --saves 3000 --rounds 3
"""

import argparse
import asyncio
import hashlib
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
import save_status  # the product's server and client, shared with bench/save_status.py

ROWS = 8
TOKEN = "reference-session-token"  # noqa: S105 - a benchmark's fixed cookie

# ---------------------------------------------------------------------------- the reference app


def reference_app() -> object:
    from fastapi import Depends, FastAPI, Form, HTTPException, Request
    from fastapi.responses import HTMLResponse
    from jinja2 import Environment
    from sqlalchemy import event, insert, update
    from sqlmodel import Field, Session, SQLModel, col, create_engine, select

    class RefUser(SQLModel, table=True):
        id: int | None = Field(default=None, primary_key=True)
        name: str

    class RefSession(SQLModel, table=True):
        token_hash: str = Field(primary_key=True)
        user_id: int
        expires_at: datetime

    class RefEntry(SQLModel, table=True):
        id: int | None = Field(default=None, primary_key=True)
        version: int = 1
        colour: str | None = None
        remark: str = ""
        updated_at: datetime | None = None
        updated_by_id: int | None = None

    class RefChange(SQLModel, table=True):
        id: int | None = Field(default=None, primary_key=True)
        entry_id: int
        version: int
        field: str
        old_value: str | None
        new_value: str | None
        changed_at: datetime
        changed_by_id: int

    engine = create_engine(os.environ["REFERENCE_DATABASE_URL"], pool_size=1, max_overflow=0)

    @event.listens_for(engine, "connect")
    def _pragmas(connection: object, _record: object) -> None:
        cursor = connection.cursor()  # type: ignore[attr-defined]
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()
        connection.isolation_level = None  # type: ignore[attr-defined]

    @event.listens_for(engine, "begin")
    def _begin(connection: object) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")  # type: ignore[attr-defined]

    SQLModel.metadata.create_all(engine)
    with Session(engine) as session:
        if session.get(RefUser, 1) is None:
            session.add(RefUser(id=1, name="Reference Editor"))
            expires = datetime.now(UTC) + timedelta(days=1)
            session.add(
                RefSession(token_hash=hashlib.sha256(TOKEN.encode()).hexdigest(), user_id=1, expires_at=expires)
            )
            session.add_all(RefEntry(id=n) for n in range(1, ROWS + 1))
            session.commit()

    fragment = Environment(autoescape=True).from_string(
        '<article class="status-row" id="row-{{ entry.id }}"><form class="row-form" hx-post="/raekker/{{ entry.id }}">'
        '<input type="hidden" name="version" value="{{ entry.version }}">'
        "{% for c in ('green', 'yellow', 'red') %}<label><input type=\"radio\" name=\"colour\" value=\"{{ c }}\""
        "{% if entry.colour == c %} checked{% endif %}>{{ c }}</label>{% endfor %}"
        '<textarea name="remark">{{ entry.remark }}</textarea><p>Gemt af {{ name }}.</p></form></article>'
    )

    def current_user(request: Request) -> RefUser:
        token = request.cookies.get("session", "")
        with Session(engine) as session:
            user = session.exec(
                select(RefUser)
                .join(RefSession, col(RefSession.user_id) == RefUser.id)
                .where(RefSession.token_hash == hashlib.sha256(token.encode()).hexdigest())
                .where(RefSession.expires_at > datetime.now(UTC))
            ).first()
        if user is None:
            raise HTTPException(401)
        return user

    app = FastAPI()

    @app.post("/raekker/{entry_id}")
    def save(
        entry_id: int,
        user: Annotated[RefUser, Depends(current_user)],
        version: Annotated[int, Form()],
        colour: Annotated[str, Form()] = "",
        remark: Annotated[str, Form()] = "",
    ) -> HTMLResponse:
        now = datetime.now(UTC)
        with Session(engine) as session, session.begin():
            entry = session.get(RefEntry, entry_id)
            if entry is None or entry.version != version:
                raise HTTPException(409)
            new = {"colour": colour or None, "remark": remark}
            changed = {name: value for name, value in new.items() if getattr(entry, name) != value}
            old = {name: getattr(entry, name) for name in changed}
            session.execute(
                update(RefEntry)
                .where(col(RefEntry.id) == entry_id, col(RefEntry.version) == version)
                .values(**changed, version=version + 1, updated_at=now, updated_by_id=user.id)
            )
            session.execute(
                insert(RefChange),
                [
                    {"entry_id": entry_id, "version": version + 1, "field": name, "old_value": old[name]}
                    | {"new_value": value, "changed_at": now, "changed_by_id": user.id}
                    for name, value in changed.items()
                ],
            )
            html = fragment.render(entry=entry, name=user.name)
        return HTMLResponse(html)

    return app


# ---------------------------------------------------------------------------- the driver


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def drive_reference(base_url: str, saves: int, versions: dict[int, int]) -> int:
    """Save the reference's rows one after the other; the number of errors."""
    errors = 0
    async with httpx.AsyncClient(base_url=base_url, cookies={"session": TOKEN}) as http:
        for n in range(saves):
            entry_id = n % ROWS + 1
            data = {"version": str(versions[entry_id]), "colour": save_status.COLOURS[n % 3], "remark": f"Gemning {n}"}
            response = await http.post(f"/raekker/{entry_id}", data=data, headers={"HX-Request": "true"})
            if response.status_code == 200 and "Gemt" in response.text:
                versions[entry_id] += 1
            else:
                errors += 1
    return errors


async def compare(
    product: "save_status.Server", ref_url: str, ref_pid: int, saves: int, rounds: int
) -> dict[str, list[float]]:
    """Server CPU ms per save of each, alternating, after a warm-up; log-ins are not counted."""
    assert product.process is not None
    # The first editable rows, through the same log-in and page as save_status.py.
    [(editor, rows), *others] = await save_status.prepare(product, 1)
    for other, _rows in others:
        await other.http.aclose()
    rows = rows[:ROWS]
    versions = dict.fromkeys(range(1, ROWS + 1), 1)

    async def product_saves(count: int) -> int:
        results = await save_status.closed_loop([(editor, rows)], saves=count, seconds=None)
        return sum(results.errors.values())

    async def reference_saves(count: int) -> int:
        return await drive_reference(ref_url, count, versions)

    figures: dict[str, list[float]] = {"reference": [], "product": []}
    await reference_saves(100)
    await product_saves(100)
    for _ in range(rounds):  # alternate, so a busy spell on the shared machine hits both
        for name, pid, run in (
            ("reference", ref_pid, reference_saves),
            ("product", product.process.pid, product_saves),
        ):
            before = cpu_seconds(pid)
            if errors := await run(saves):
                raise SystemExit(f"{name}: {errors} errors")
            figures[name].append(1000 * (cpu_seconds(pid) - before) / saves)
    await editor.http.aclose()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--saves", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=1, help="alternate the two servers this many times")
    parser.add_argument("--serve-reference", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_reference:
        import uvicorn

        uvicorn.run(reference_app(), host=save_status.HOST, port=args.port)  # type: ignore[arg-type]
        return

    with tempfile.TemporaryDirectory(prefix="fremdrift-reference-") as tmp:
        workdir = Path(tmp)
        product = save_status.Server(workdir, save_status.free_port())
        product.build_demo()
        ref_port = save_status.free_port()
        ref_env = {**os.environ, "REFERENCE_DATABASE_URL": f"sqlite:///{workdir / 'reference.db'}"}
        ref_command = [sys.executable, __file__, "--serve-reference", "--port", str(ref_port)]
        ref_log = (workdir / "reference.log").open("wb")
        reference = subprocess.Popen(ref_command, env=ref_env, stdout=ref_log, stderr=subprocess.STDOUT)
        product.start(access_log=True)
        try:
            ref_url = f"http://{save_status.HOST}:{ref_port}"
            for _ in range(100):
                try:
                    httpx.get(ref_url + "/docs", timeout=1)
                    break
                except httpx.TransportError:
                    time.sleep(0.1)
            figures = asyncio.run(compare(product, ref_url, reference.pid, args.saves, args.rounds))
        finally:
            product.stop()
            reference.terminate()
            reference.wait(timeout=15)
    ref = min(figures["reference"])
    prod = min(figures["product"])
    print(f"server CPU ms per save, 1 client, {args.saves} saves, best of {args.rounds} (all: {figures})")
    print(f"  reference (minimal FastAPI + SQLModel): {ref:.2f} ms")
    print(f"  product (fremdrift serve):              {prod:.2f} ms")
    print(f"  ratio: {prod / ref:.2f} (target: at most 1.3)")


if __name__ == "__main__":
    main()
