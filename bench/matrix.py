"""Benchmark: the matrix and the rollup over 10 years of history for all 98 municipalities
(SPEC section 4: the matrix page under 300 ms).

Builds a fresh database (SQLite in a temporary directory, or ``--database-url``): the register,
KKR Hovedstaden's 2015 catalogue and the demo's 2024 edition (a revision, a split, a merge), and
for each of the four other KKRs a copy of the 2015 catalogue under its own ids. Then 10 closed
rounds (2016-2025) for every KKR, each with a submitted report of 16 rows for every municipality
(a few municipalities skip a year): 98 municipalities × 10 years × 16 rows, about 15,700 rows.

Measured, after a warm-up, each over ``--runs`` runs:
  in-process  the domain functions the page and the API call (wall and CPU ms per call):
              matrix_for, rollup_for, where_to_act_for (all 10 rounds), trend_for;
  over HTTP   GET of the matrix page, of where to act and of the matrix JSON from a real
              ``fremdrift serve`` (wall ms at the client; the server's CPU ms per request).
KKR Hovedstaden's 2025 round (29 municipalities, the largest KKR, across the edition change) is
the page measured; "each KKR in turn" requests the 2025 matrix of every KKR, one per request,
and "all five KKRs" in process builds the five matrices (all 98 municipalities) in one call.

    .venv/bin/python bench/matrix.py
    .venv/bin/python bench/matrix.py --runs 200
    .venv/bin/python bench/matrix.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench
"""

import argparse
import contextlib
import itertools
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import httpx
from sqlmodel import col, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.cli import DEFAULT_CATALOGUE, upgrade_database  # noqa: E402
from app.db import Database  # noqa: E402
from app.domain.access import Actor  # noqa: E402
from app.domain.accounts import create_user  # noqa: E402
from app.domain.catalogue import load_catalogue  # noqa: E402
from app.domain.catalogue_file import parse_catalogue_file  # noqa: E402
from app.domain.rollup import matrix_for, rollup_for, trend_for, where_to_act_for  # noqa: E402
from app.domain.vocabulary import Colour, Kind, ReportState, Role, RoundState  # noqa: E402
from app.models import (  # noqa: E402
    Catalogue,
    Kkr,
    Municipality,
    Recommendation,
    ReportingRound,
    StatusEntry,
    StatusReport,
)

HOST = "127.0.0.1"
YEARS = range(2016, 2026)
EDITION_FILE = ROOT / "seed" / "kkr-hovedstaden-2024.yaml"
EDITION_FIRST_YEAR = 2024
HOVEDSTADEN = "KKR Hovedstaden"
ADMIN_EMAIL = "admin@bench.fremdrift.dk"
PASSWORD = "bench-fremdrift"  # noqa: S105 - a throwaway database
TARGET_MS = 300.0
NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
FREMDRIFT = Path(sys.executable).with_name("fremdrift")


# ---------------------------------------------------------------------------- the history


def other_catalogue(kkr: str, workdir: Path) -> Path:
    """The 2015 catalogue for another KKR, under ids of its own (ids are unique across catalogues)."""
    slug = kkr.removeprefix("KKR ").lower().replace("æ", "ae").replace("ø", "oe").replace("å", "aa")
    text = DEFAULT_CATALOGUE.read_text(encoding="utf-8")
    text = text.replace("id: kkr-hovedstaden-2015", f"id: kkr-{slug}-2015").replace(
        f"kkr: {HOVEDSTADEN}", f"kkr: {kkr}"
    )
    text = re.sub(r"\bhov15-", f"{slug[:3]}15-", text)
    path = workdir / f"kkr-{slug}-2015.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def build_history(database: Database, workdir: Path) -> dict[str, int]:
    """Catalogues, rounds and reports as described above; returns the KKRs' ids by name."""
    rng = random.Random(98)
    with database.write() as session:
        load_catalogue(session, parse_catalogue_file(DEFAULT_CATALOGUE), now=NOW)
        load_catalogue(session, parse_catalogue_file(EDITION_FILE), now=NOW)
        kkrs = {kkr.name: kkr for kkr in session.exec(select(Kkr))}
        for name in kkrs:
            if name != HOVEDSTADEN:
                load_catalogue(session, parse_catalogue_file(other_catalogue(name, workdir)), now=NOW)
        create_user(session, email=ADMIN_EMAIL, name="Bench", role=Role.ADMIN, password=PASSWORD, now=NOW)
    with database.write() as session:
        catalogues = {c.key: c for c in session.exec(select(Catalogue))}
        recs: dict[int, list[Recommendation]] = {}
        for rec in session.exec(select(Recommendation).order_by(col(Recommendation.position))):
            recs.setdefault(rec.catalogue_id, []).append(rec)
        for name, kkr in kkrs.items():
            municipalities = session.exec(select(Municipality).where(Municipality.kkr_id == kkr.id)).all()
            level = {m.code: rng.uniform(0.2, 0.6) for m in municipalities}
            for year in YEARS:
                if name == HOVEDSTADEN and year >= EDITION_FIRST_YEAR:
                    catalogue = catalogues["kkr-hovedstaden-2024"]
                else:
                    catalogue = next(c for c in catalogues.values() if c.kkr_id == kkr.id and c.key.endswith("-2015"))
                assert kkr.id is not None and catalogue.id is not None
                reporting_round = ReportingRound(
                    kkr_id=kkr.id,
                    catalogue_id=catalogue.id,
                    year=year,
                    opens_on=date(year + 1, 1, 5),
                    deadline=date(year + 1, 2, 28),
                    state=RoundState.CLOSED,
                    created_at=NOW,
                )
                session.add(reporting_round)
                session.flush()
                assert reporting_round.id is not None
                for municipality in municipalities:
                    level[municipality.code] = min(0.95, level[municipality.code] + rng.uniform(0, 0.06))
                    if rng.random() < 0.05:
                        continue
                    report = StatusReport(
                        round_id=reporting_round.id,
                        municipality_code=municipality.code,
                        state=ReportState.SUBMITTED,
                        started_at=NOW,
                        submitted_at=NOW,
                    )
                    session.add(report)
                    session.flush()
                    assert report.id is not None
                    for rec in recs[catalogue.id]:
                        assert rec.id is not None
                        if rec.kind == Kind.KAN and rng.random() < 0.06:
                            session.add(
                                StatusEntry(
                                    report_id=report.id,
                                    recommendation_id=rec.id,
                                    opted_out=True,
                                    opt_out_reason="Ikke relevant for kommunen.",
                                )
                            )
                            continue
                        draw = rng.random()
                        colour = (
                            Colour.GREEN
                            if draw < level[municipality.code]
                            else Colour.YELLOW
                            if draw < level[municipality.code] + 0.25
                            else Colour.RED
                        )
                        remark = "" if colour is Colour.GREEN else f"Bemærkning til {rec.key} i {year}: {colour.label}."
                        session.add(
                            StatusEntry(report_id=report.id, recommendation_id=rec.id, colour=colour, remark=remark)
                        )
        session.flush()
        return {name: kkr.id for name, kkr in kkrs.items() if kkr.id is not None}


def count_rows(database: Database) -> tuple[int, int, int]:
    from sqlmodel import func

    with database.read() as session:
        rounds = session.exec(select(func.count()).select_from(ReportingRound)).one()
        reports = session.exec(select(func.count()).select_from(StatusReport)).one()
        entries = session.exec(select(func.count()).select_from(StatusEntry)).one()
    return rounds, reports, entries


# ---------------------------------------------------------------------------- measuring


def summary(name: str, wall_ms: list[float], cpu_ms: list[float] | float) -> str:
    cpu = statistics.median(cpu_ms) if isinstance(cpu_ms, list) else cpu_ms
    p95 = sorted(wall_ms)[max(0, round(0.95 * len(wall_ms)) - 1)]
    verdict = "ok" if p95 < TARGET_MS else "OVER"
    return (
        f"{name:<44} p50 {statistics.median(wall_ms):7.1f} ms  p95 {p95:7.1f} ms  "
        f"max {max(wall_ms):7.1f} ms  CPU {cpu:6.1f} ms  {verdict}"
    )


def time_calls(call: Callable[[], object], runs: int, warmup: int) -> tuple[list[float], list[float]]:
    for _ in range(warmup):
        call()
    wall, cpu = [], []
    for _ in range(runs):
        start_wall, start_cpu = time.perf_counter(), time.process_time()
        call()
        wall.append((time.perf_counter() - start_wall) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return wall, cpu


def in_process(database: Database, kkrs: dict[str, int], runs: int, warmup: int) -> list[str]:
    admin = Actor(user_id=1, role=Role.ADMIN)
    hovedstaden = kkrs[HOVEDSTADEN]

    def with_session(function: Callable[..., object], *args: object) -> Callable[[], object]:
        def call() -> object:
            with database.read() as session:
                return function(session, admin, *args)

        return call

    def all_matrices() -> None:
        with database.read() as session:
            for kkr_id in kkrs.values():
                matrix_for(session, admin, kkr_id, 2025)

    cases = [
        ("matrix_for (Hovedstaden 2025, 29 × 16)", with_session(matrix_for, hovedstaden, 2025)),
        ("matrix_for, all five KKRs (98 municipalities)", all_matrices),
        ("rollup_for (Hovedstaden 2025)", with_session(rollup_for, hovedstaden, 2025)),
        ("where_to_act_for (Hovedstaden, 10 rounds)", with_session(where_to_act_for, hovedstaden, 2025)),
        ("trend_for (Allerød, 10 years)", with_session(trend_for, 201)),
    ]
    return [summary(name, *time_calls(call, runs, warmup)) for name, call in cases]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def server_cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def over_http(database_url: str, workdir: Path, kkrs: dict[str, int], runs: int, warmup: int) -> list[str]:
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url}
    log = (workdir / "server.log").open("wb")
    process = subprocess.Popen(
        [str(FREMDRIFT), "serve", "--host", HOST, "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    base = f"http://{HOST}:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"{base}/login", timeout=1).status_code == 200:
                    break
            if time.monotonic() > deadline or process.poll() is not None:
                raise SystemExit(f"the server did not start:\n{(workdir / 'server.log').read_text()}")
            time.sleep(0.1)
        with httpx.Client(base_url=base, timeout=30) as client:
            page = client.get("/login")
            token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
            assert token, "no CSRF token on the log-in page"
            answer = client.post("/login", data={"email": ADMIN_EMAIL, "password": PASSWORD, "csrf_token": token[1]})
            assert answer.status_code in (200, 303), answer.text[:300]
            hovedstaden = kkrs[HOVEDSTADEN]
            lines = []
            for name, paths in (
                ("GET matrix page (Hovedstaden 2025)", [f"/runder/{hovedstaden}/2025/matrix"]),
                (
                    "GET matrix page, filtered and sorted",
                    [f"/runder/{hovedstaden}/2025/matrix?fokusomraade=borgerrettede&type=skal&sorter=hov24-b1a"],
                ),
                ("GET matrix page, each KKR in turn", [f"/runder/{kkr_id}/2025/matrix" for kkr_id in kkrs.values()]),
                ("GET where to act (Hovedstaden 2025)", [f"/runder/{hovedstaden}/2025/indsats"]),
                ("GET /api/rollup/…/2025/matrix (JSON)", [f"/api/rollup/{hovedstaden}/2025/matrix"]),
                ("GET a municipality's years (Allerød)", ["/kommuner/201/udvikling"]),
            ):
                # One request per sample; several paths are requested in turn.
                cycle = itertools.cycle(paths)

                def fetch(cycle: Iterator[str] = cycle) -> None:
                    path = next(cycle)
                    response = client.get(path)
                    assert response.status_code == 200, f"{path}: {response.status_code}"

                for _ in range(warmup):
                    fetch()
                before = server_cpu_seconds(process.pid)
                wall, _cpu = time_calls(fetch, runs, 0)
                cpu_per_request = (server_cpu_seconds(process.pid) - before) * 1000 / runs
                lines.append(summary(name, wall, cpu_per_request))
            return lines
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=50, help="measured runs of each case (default: 50)")
    parser.add_argument("--warmup", type=int, default=5, help="runs before measuring (default: 5)")
    parser.add_argument("--database-url", help="an empty database to fill (default: SQLite in a temporary directory)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="fremdrift-matrix-") as tmp:
        workdir = Path(tmp)
        url = args.database_url or f"sqlite:///{workdir / 'bench.db'}"
        started = time.perf_counter()
        upgrade_database(url)
        database = Database(url)
        kkrs = build_history(database, workdir)
        rounds, reports, entries = count_rows(database)
        print(
            f"history: {len(kkrs)} KKRs, {rounds} rounds ({YEARS[0]}-{YEARS[-1]}), {reports} submitted reports, "
            f"{entries} rows; built in {time.perf_counter() - started:.1f} s on {url.split(':', 1)[0]}"
        )
        print(f"CPU: {os.cpu_count()} cores, shared; load average {os.getloadavg()[0]:.2f}; {args.runs} runs each")
        print("in-process (the domain functions the page and the API call):")
        for line in in_process(database, kkrs, args.runs, args.warmup):
            print("  " + line)
        database.dispose()
        print("over HTTP (fremdrift serve, one worker; CPU = the server's CPU per request):")
        for line in over_http(url, workdir, kkrs, args.runs, args.warmup):
            print("  " + line)
        print(f"target: under {TARGET_MS:.0f} ms (SPEC section 4)")


if __name__ == "__main__":
    main()
