"""Benchmark: the consolidated report and the council's report, cold and kept rendered (SPEC 4).

Builds its own SQLite database in a temporary directory with a realistic round: KKR
Hovedstaden's 29 municipalities × 16 recommendations, every report submitted, remarks of
realistic length (one to four sentences, some long), and last year's round for the
year-over-year markers. ``--all-98`` builds the same with all 98 municipalities in one round
(the register is loaded with every municipality in KKR Hovedstaden, so one catalogue applies).

Measures, each in a fresh process (so import and font loading count as they do for a cold
start):
  cold        build the data + lay out + write the PDF, in a new process (import included)
  warm        the same again in that process (WeasyPrint, CSS and fonts kept loaded)
  download    a reader's GET of the kept render through the app (data key computed from the
              live data, render looked up, PDF sent), and the same with If-None-Match (304)
and prints wall time, CPU time, pages and the peak RSS of the process.

    .venv/bin/python bench/render_reports.py             # 29 municipalities
    .venv/bin/python bench/render_reports.py --all-98
"""

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

YEAR = 2025
NOW = datetime(2026, 2, 20, 12, 0, tzinfo=UTC)
TARGETS = {"cold_29_s": 5.0, "cold_98_s": 15.0, "download_s": 1.0, "unchanged_s": 0.1, "rss_mb": 300.0}
SENTENCES = [
    "Samarbejdet med nabokommunerne er formaliseret i en skriftlig aftale, der blev godkendt i direktionen i foråret.",
    "Vi har udpeget en fast kontaktperson i virksomhedsservice, som koordinerer henvendelserne på tværs af kommunerne.",
    "Indsatsen er delvist igangsat: et pilotforløb kører i den ene afdeling, og udbredelsen afventer evalueringen.",
    "Aftalen med uddannelsesinstitutionerne er ikke på plads, fordi finansieringen af forløbene ikke er afklaret.",
    "Jobcentret har været igennem en omstrukturering, og området er derfor prioriteret til næste år.",
    "Vi deltager i det fælles netværk og har bidraget med data til kortlægningen, men har ikke egne projekter endnu.",
    "Første fælles forløb er gennemført med 14 deltagere, hvoraf 9 er kommet i job eller uddannelse.",
    "Strategien for opkvalificering er vedtaget og bruges i den årlige planlægning af kompetenceudviklingen.",
    "Afventer den fælles model fra koordinationsgruppen, som vi forventer at tilslutte os, når den foreligger.",
    "Der er indgået aftale om jobrotation med to nabokommuner, og de første vikarer startede i september.",
]


def _remark(rng: random.Random) -> str:
    count = rng.choice([1, 1, 2, 2, 2, 3, 4])  # about 240 characters on average
    return " ".join(rng.sample(SENTENCES, min(count, len(SENTENCES))))


def build(path: Path, *, all_98: bool) -> None:
    """A database with a submitted round for ``YEAR`` (and a closed one for the year before)."""
    from sqlmodel import select

    from app.cli import DEFAULT_CATALOGUE, REGISTER_FILE
    from app.db import Database
    from app.domain.accounts import actor_of, create_user
    from app.domain.catalogue import load_catalogue
    from app.domain.catalogue_file import parse_catalogue_file
    from app.domain.municipalities import RegisterRow, load_register, read_register
    from app.domain.reports.commands import EntryInput, save_entry, start_report, submit_report
    from app.domain.rounds import create_round
    from app.domain.vocabulary import Kind, Role, RoundState
    from app.migrate import upgrade
    from app.models import Municipality, Recommendation, ReportingRound, StatusEntry

    url = f"sqlite:///{path}"
    upgrade(url)
    database = Database(url)
    rows = read_register(REGISTER_FILE)
    if all_98:
        rows = [RegisterRow(row.code, row.name, "KKR Hovedstaden") for row in rows]
    rng = random.Random(13)
    with database.write() as session:
        load_register(session, rows)
        load_catalogue(session, parse_catalogue_file(DEFAULT_CATALOGUE), now=NOW)
        admin = create_user(
            session,
            email="admin@bench.invalid",
            name="Bench",
            role=Role.ADMIN,
            password="bench-password-1",  # noqa: S106 - a throwaway database
            now=NOW,
        )
        actor = actor_of(admin)
        kkr_id = session.exec(select(Municipality.kkr_id).where(Municipality.code == 101)).one()
        codes = list(session.exec(select(Municipality.code).where(Municipality.kkr_id == kkr_id)))
        kinds = {rec.id: rec.kind for rec in session.exec(select(Recommendation))}
        for year in (YEAR - 1, YEAR):
            create_round(
                session,
                kkr_name="KKR Hovedstaden",
                catalogue_key="kkr-hovedstaden-2015",
                year=year,
                opens_on=date(year + 1, 1, 2),
                deadline=date(year + 1, 2, 28),
                state=RoundState.OPEN,
                now=NOW,
            )
            for code in codes:
                report = start_report(session, actor, code, year, carry_over=False, now=NOW)
                for entry in session.exec(select(StatusEntry).where(StatusEntry.report_id == report.id)):
                    kind = kinds[entry.recommendation_id]
                    opted_out = kind == Kind.KAN and rng.random() < 0.08
                    colour = rng.choices(["green", "yellow", "red"], weights=[6, 3, 1.5])[0]
                    data = EntryInput(
                        None if opted_out else colour,
                        "" if opted_out else _remark(rng),
                        opted_out,
                        "Målgruppen er for lille i kommunen; vi henviser til nabokommunens tilbud."
                        if opted_out
                        else "",
                        entry.version,
                    )
                    save_entry(session, actor, entry.id or 0, data, now=NOW + timedelta(seconds=1))
                submit_report(session, actor, report.id or 0, now=NOW + timedelta(seconds=2))
            for reporting_round in session.exec(select(ReportingRound).where(ReportingRound.year == year)):
                reporting_round.state = RoundState.CLOSED
                session.add(reporting_round)
    database.dispose()


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(path: Path) -> dict[str, object]:
    """In this (fresh) process: cold and warm renders of both reports, then a reader's download."""
    started, cpu = time.perf_counter(), time.process_time()
    from fastapi.testclient import TestClient
    from sqlalchemy import delete

    from app.config import Settings
    from app.db import Database
    from app.domain.access import Actor
    from app.domain.documents.reading import consolidated_for, council_for
    from app.domain.documents.renders import KKR, request_render
    from app.domain.vocabulary import Role
    from app.main import create_app
    from app.models import RenderRequest
    from app.pdf.documents import render_document
    from app.pdf.jobs import render_due_reports
    from app.pdf.renderer import renderer

    database = Database(f"sqlite:///{path}")
    admin = Actor(user_id=1, role=Role.ADMIN)
    out: dict[str, object] = {}

    def timed(name: str, fn: object) -> object:
        wall, cpu_before = time.perf_counter(), time.process_time()
        result = fn()  # type: ignore[operator]
        out[name] = {
            "wall_s": round(time.perf_counter() - wall, 3),
            "cpu_s": round(time.process_time() - cpu_before, 3),
        }
        return result

    def consolidated() -> object:
        with database.read() as session:
            report = consolidated_for(session, admin, 2).report
        return render_document(report)

    def council() -> object:
        with database.read() as session:
            report = council_for(session, admin, 101, YEAR).report
        return render_document(report)

    first = timed("kkr_cold_in_process", consolidated)
    out["kkr_cold_incl_import"] = {
        "wall_s": round(time.perf_counter() - started, 3),
        "cpu_s": round(time.process_time() - cpu, 3),
    }
    out["kkr_pages"] = first.pages  # type: ignore[attr-defined]
    timed("kkr_warm", consolidated)
    out["council_pages"] = timed("council_first", council).pages  # type: ignore[attr-defined]
    timed("council_warm", council)

    # Kept rendered: the worker's job renders ahead; the reader downloads through the app.
    with database.write() as session:
        session.execute(delete(RenderRequest))  # the build's saves asked for every report
        request_render(session, 2, KKR, now=NOW, debounce=timedelta(0))
    timed("worker_render_kkr", lambda: render_due_reports(database, NOW + timedelta(days=1), render=renderer().render))
    app = create_app(Settings(database_url=f"sqlite:///{path}", secret_key="bench"), database)  # noqa: S106
    with TestClient(app) as client:
        from app.domain.accounts import start_session
        from app.models import User
        from app.security.csrf import SESSION_COOKIE

        with database.write() as session:
            user = session.get(User, 1)
            assert user is not None
            client.cookies.set(
                SESSION_COOKIE, start_session(session, user, now=datetime.now(UTC), lifetime=timedelta(hours=1))
            )
        response = client.get("/runder/2/rapport.pdf")
        assert response.status_code == 200, response.status_code
        downloads, download_cpu = [], []
        for _ in range(7):
            wall, cpu_before = time.perf_counter(), time.process_time()
            response = client.get("/runder/2/rapport.pdf")
            downloads.append(time.perf_counter() - wall)
            download_cpu.append(time.process_time() - cpu_before)
        assert response.status_code == 200
        etag = response.headers["etag"]
        unchanged, unchanged_cpu = [], []
        for _ in range(7):
            wall, cpu_before = time.perf_counter(), time.process_time()
            assert client.get("/runder/2/rapport.pdf", headers={"If-None-Match": etag}).status_code == 304
            unchanged.append(time.perf_counter() - wall)
            unchanged_cpu.append(time.process_time() - cpu_before)
    out["download_s"] = round(sorted(downloads)[3], 3)
    out["download_cpu_s"] = round(sorted(download_cpu)[3], 3)
    out["download_unchanged_s"] = round(sorted(unchanged)[3], 3)
    out["download_unchanged_cpu_s"] = round(sorted(unchanged_cpu)[3], 3)
    out["pdf_kb"] = len(response.content) // 1024
    out["peak_rss_mb"] = round(_rss_mb(), 1)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--all-98", action="store_true", help="one round with all 98 municipalities")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)  # the child process
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure)))
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.db"
        wall = time.perf_counter()
        build(path, all_98=args.all_98)
        size = "98" if args.all_98 else "29"
        print(f"built {size} municipalities × 16 rows, two rounds, in {time.perf_counter() - wall:.1f} s")
        child = subprocess.run(
            [sys.executable, __file__, "--measure", str(path)], capture_output=True, text=True, check=True
        )
        result = json.loads(child.stdout.strip().splitlines()[-1])
    cold_target = TARGETS["cold_98_s"] if args.all_98 else TARGETS["cold_29_s"]
    print(json.dumps(result, indent=2))
    print(
        f"targets: cold < {cold_target} s (incl. import: {result['kkr_cold_incl_import']['wall_s']} s), "
        f"download < {TARGETS['download_s']} s ({result['download_s']} s), "
        f"unchanged < {TARGETS['unchanged_s']} s ({result['download_unchanged_s']} s), "
        f"< {TARGETS['rss_mb']:.0f} MB ({result['peak_rss_mb']} MB)"
    )


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    main()
