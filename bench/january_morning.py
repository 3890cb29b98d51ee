"""Load: a January morning against a running server, for a fixed time (SPEC section 4).

Builds a fresh demo database (SQLite in a temporary directory, or with ``--postgres`` a temporary
database on that PostgreSQL server, dropped afterwards) and starts `fremdrift serve` on it, with
its background jobs (the outbox, the report renders) in the same process as in production. Then,
at once:

- two browser tabs per KKR Hovedstaden municipality with a report in progress (the demo has one
  editor per municipality, so the two "editors" are two tabs of that editor: two sessions'
  worth of traffic on the same rows is exactly what must not lose a save): each saves one of
  its own rows, and now and then reloads the report page, with a pause between actions;
- the coordinator, in a few tabs, loading the pages a coordinator reads: the front page with the
  round's overview, a municipality's report, the round's matrix, and the consolidated report's
  PDF (``/runder/<id>/rapport.pdf``). The PDF is rendered ahead by the render job; while a
  fresh render is on its way the server answers 503 with the page "PDF'en dannes" (it reloads
  itself after 5 s), which is the designed answer and counted as correct, apart from the 200s
  (the PDF itself) and the 304s (the tab already has this render: its ETag).

Prints requests/s, p50/p95/p99 and errors per kind of request; zero errors is the bar (a 409
between the two tabs of one municipality is a conflict shown to the user, counted apart), and
the server's CPU time per request: the web process's own, and with its render process.

    .venv/bin/python bench/january_morning.py --seconds 60
    .venv/bin/python bench/january_morning.py --seconds 60 --postgres postgresql+psycopg://postgres@127.0.0.1:5432/postgres
"""

import argparse
import asyncio
import contextlib
import dataclasses
import os
import random
import shutil
import subprocess
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path

import httpx
import save_status as base
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

COORDINATOR = "koordinator@demo.fremdrift.dk"
OVERVIEW, MUNICIPALITY, MATRIX, REPORT_PDF = "/", "/kommuner/{code}/{year}", "/runder/{kkr}/{year}/matrix", "PDF"
PREPARING = "PDF'en dannes"  # the heading of the page served while the render job works


@dataclasses.dataclass
class Server(base.Server):
    """bench/save_status.py's server, on any database URL (its ``db_path`` is for SQLite only)."""

    database_url: str = ""

    @property
    def env(self) -> dict[str, str]:
        return {**super().env, "DATABASE_URL": self.database_url or f"sqlite:///{self.db_path}"}

    def cpu_seconds_with_children(self) -> float:
        """The server's CPU time and its descendants' (the render process), from /proc."""
        if self.process is None:
            return 0.0
        tick, total = os.sysconf("SC_CLK_TCK"), 0.0
        pids = {self.process.pid}
        stats: dict[int, list[str]] = {}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                with contextlib.suppress(OSError):
                    stats[int(entry.name)] = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        grew = True
        while grew:
            children = {pid for pid, fields in stats.items() if int(fields[1]) in pids} - pids
            grew = bool(children)
            pids |= children
        for pid in pids:
            if pid in stats:
                total += (int(stats[pid][11]) + int(stats[pid][12])) / tick
        return total


@contextlib.contextmanager
def temporary_postgres(server_url: str) -> Iterator[str]:
    """A fresh database on the PostgreSQL server ``server_url`` names; dropped afterwards."""
    name = f"fremdrift_january_{os.getpid()}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@dataclasses.dataclass(frozen=True)
class Demo:
    editors: list[tuple[str, int]]  # (e-mail, municipality code)
    kkr_id: int
    round_id: int


def read_demo(database_url: str) -> Demo:
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            editors = connection.execute(
                text("SELECT email, municipality_code FROM user_account WHERE role = 'editor' ORDER BY email")
            ).all()
            kkr_id = connection.execute(text("SELECT kkr_id FROM user_account WHERE email = :e"), {"e": COORDINATOR})
            kkr = kkr_id.scalar_one()
            round_id = connection.execute(
                text("SELECT id FROM reporting_round WHERE kkr_id = :k AND year = :y"), {"k": kkr, "y": base.YEAR}
            ).scalar_one()
    finally:
        engine.dispose()
    return Demo([(email, code) for email, code in editors], kkr, round_id)


class Figures:
    def __init__(self) -> None:
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.errors: Counter[str] = Counter()
        self.conflicts = 0

    def record(
        self, kind: str, started: float, response: httpx.Response | None, ok: bool, failure: str = "transport"
    ) -> None:
        """One answer. A 409 is a conflict (counted apart); anything else not ``ok`` an error."""
        self.latencies[kind].append((time.perf_counter() - started) * 1000)
        if response is not None and response.status_code == 409:
            self.conflicts += 1
        elif not ok:
            self.errors[f"{kind}: {response.status_code if response is not None else failure}"] += 1


async def editor_tab(editor: base.Editor, figures: Figures, deadline: float, rng: random.Random) -> None:
    row = rng.choice(editor.rows)
    n = 0
    while time.perf_counter() < deadline:
        await asyncio.sleep(rng.uniform(0.2, 1.5))  # reading, typing
        n += 1
        started = time.perf_counter()
        if rng.random() < 0.8:
            data = {"version": str(row.version), "colour": base.COLOURS[n % 3], "remark": f"Morgen {n} {id(editor)}"}
            headers = {"HX-Request": "true", "X-CSRF-Token": editor.csrf}
            try:
                response = await editor.http.post(f"/raekker/{row.entry_id}", data=data, headers=headers)
            except httpx.HTTPError as error:
                figures.record("save", started, None, False, type(error).__name__)
                continue
            version = base.VERSION.search(response.text)
            if version is not None:  # on 200 the next version, on 409 the current one
                row.version = int(version.group(1))
            figures.record("save", started, response, response.status_code == 200)
        else:
            try:
                response = await editor.http.get(f"/kommuner/{editor.code}/{base.YEAR}")
            except httpx.HTTPError as error:
                figures.record("report page", started, None, False, type(error).__name__)
                continue
            figures.record("report page", started, response, response.status_code == 200)


def pdf_answer(response: httpx.Response) -> str | None:
    """What kind of correct answer the report's PDF got, or None if it is not one."""
    if response.status_code == 200 and response.headers.get("content-type") == "application/pdf":
        return "200 PDF" if response.content.startswith(b"%PDF") else None
    if response.status_code == 304:
        return "304 not modified"
    if response.status_code == 503 and PREPARING in response.text and response.headers.get("retry-after"):
        return "503 PDF'en dannes"
    return None


async def coordinator_tab(
    http: httpx.AsyncClient, pages: list[str], pdf_url: str, figures: Figures, deadline: float, rng: random.Random
) -> None:
    etag = ""  # the tab's copy of the PDF, revalidated as a browser does (Cache-Control: no-cache)
    while time.perf_counter() < deadline:
        await asyncio.sleep(rng.uniform(0.5, 3.0))
        page = rng.choice(pages)
        started = time.perf_counter()
        headers = {"If-None-Match": etag} if page == pdf_url and etag else {}
        try:
            response = await http.get(page, headers=headers)
        except httpx.HTTPError as error:
            figures.record(page, started, None, False, type(error).__name__)
            continue
        if page != pdf_url:
            figures.record(page, started, response, response.status_code == 200)
            continue
        answer = pdf_answer(response)
        figures.record(f"{page} {answer or ''}".strip(), started, response, answer is not None)
        etag = response.headers.get("etag", etag) if response.status_code == 200 else etag


async def morning(
    server: Server, seconds: float, coordinators: int, seed: int, demo: Demo
) -> tuple[Figures, float, float]:
    """The morning's figures and the server's CPU seconds during it, without and with its render
    process (the log-ins before are not counted)."""
    url = server.base_url
    rng = random.Random(seed)
    editors = [await base.log_in(url, email, code) for email, code in demo.editors]
    await asyncio.gather(*(base.open_report(editor, base.YEAR) for editor in editors))
    editors = [editor for editor in editors if editor.rows]
    tabs = []
    for editor in editors:
        second = editor.tab()  # the second editor: a view of the same rows, with versions of its own
        second.rows = [dataclasses.replace(row) for row in editor.rows]
        tabs += [editor, second]
    coordinator = await base.log_in(url, COORDINATOR, 0)
    first_code = editors[0].code
    pdf_url = f"/runder/{demo.round_id}/rapport.pdf"
    pages = [
        template.format(code=first_code, year=base.YEAR, kkr=demo.kkr_id) if template != REPORT_PDF else pdf_url
        for template in (OVERVIEW, MUNICIPALITY, MATRIX, REPORT_PDF)
    ]
    for page in pages:
        response = await coordinator.http.get(page)
        if response.status_code != 200 and not (page == pdf_url and pdf_answer(response)):
            raise SystemExit(f"the coordinator's page {page} answers {response.status_code}")
    coordinator_tabs = [coordinator.tab().http for _ in range(coordinators)]
    print(f"{len(tabs)} editor tabs ({len(editors)} municipalities x 2), {coordinators} coordinator tabs on {pages}")
    figures = Figures()
    cpu_before, tree_before = server.cpu_seconds(), server.cpu_seconds_with_children()
    deadline = time.perf_counter() + seconds
    await asyncio.gather(
        *(editor_tab(tab, figures, deadline, random.Random(rng.random())) for tab in tabs),
        *(
            coordinator_tab(http, pages, pdf_url, figures, deadline, random.Random(rng.random()))
            for http in coordinator_tabs
        ),
    )
    cpu, tree = server.cpu_seconds() - cpu_before, server.cpu_seconds_with_children() - tree_before
    for http in [*(tab.http for tab in tabs), *coordinator_tabs, coordinator.http]:
        await http.aclose()
    return figures, cpu, tree


def report(figures: Figures, seconds: float, server_cpu: float, tree_cpu: float) -> None:
    total = sum(len(values) for values in figures.latencies.values())
    print(f"\n{'request':<40} {'count':>6} {'per s':>6} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'max ms':>7}")
    for kind, values in sorted(figures.latencies.items()):
        p = base.percentile
        print(
            f"{kind:<40} {len(values):>6} {len(values) / seconds:>6.1f} {p(values, 50):>7.1f} {p(values, 95):>7.1f} "
            f"{p(values, 99):>7.1f} {max(values):>7.1f}"
        )
    print(f"{'all':<40} {total:>6} {total / seconds:>6.1f}")
    per_request = 1000 / max(total, 1)
    print(f"server CPU: {server_cpu / seconds:.0%} of a core, {server_cpu * per_request:.2f} ms per request")
    print(
        f"server CPU with its render process: {tree_cpu / seconds:.0%} of a core, "
        f"{tree_cpu * per_request:.2f} ms per request"
    )
    print(f"errors: {sum(figures.errors.values())} {dict(figures.errors) or ''}")
    print(f"conflicts between a municipality's two tabs (409, shown to the user): {figures.conflicts}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--coordinators", type=int, default=3, help="coordinator tabs")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (database, server log)")
    parser.add_argument(
        "--postgres",
        metavar="URL",
        help="a PostgreSQL server (SQLAlchemy URL of any database on it): the demo is built in a "
        "temporary database there instead of SQLite",
    )
    args = parser.parse_args()
    with contextlib.ExitStack() as stack:
        tmp = tempfile.mkdtemp(prefix="fremdrift-january-")
        if args.keep:
            print(f"Keeping {tmp} (the server's log is server.log)")
        else:
            stack.callback(shutil.rmtree, tmp, ignore_errors=True)
        database_url = stack.enter_context(temporary_postgres(args.postgres)) if args.postgres else ""
        server = Server(Path(tmp), base.free_port(), database_url=database_url)
        where = make_url(server.env["DATABASE_URL"]).render_as_string(hide_password=True)
        print(f"Building the demo database ({where}) ...")
        try:
            server.build_demo()
        except subprocess.CalledProcessError as error:
            raise SystemExit(f"fremdrift demo failed:\n{error.stderr.decode()}") from error
        server.start(access_log=True)
        try:
            demo = read_demo(server.env["DATABASE_URL"])
            figures, server_cpu, tree_cpu = asyncio.run(
                morning(server, args.seconds, args.coordinators, args.seed, demo)
            )
        finally:
            server.stop()
    report(figures, args.seconds, server_cpu, tree_cpu)
    raise SystemExit(1 if figures.errors else 0)


if __name__ == "__main__":
    main()
