"""Benchmark: importing one municipality's filled-in offline workbook (SPEC section 4: under 1 s).

Starts its own server on 127.0.0.1 (a fresh SQLite demo database in a temporary directory,
`fremdrift serve`, one worker), logs København's demo editor in through the real log-in form and
starts the 2026 report. Then, again and again: download the workbook (not timed), fill in all 16
rows with openpyxl as a user would (a colour and a new remark on every row, fravalgt with a reason
on one KAN row), and upload it to the import page as htmx does (multipart, CSRF header). Timed:
the upload, from sending to the answer "Skemaet er indlæst." with 16 rows changed. The server's
CPU time per import comes from /proc. A refused workbook (one bad colour) is timed as well.

Afterwards the server is stopped and the database is read directly: every row must hold the last
import's values, and its history must hold one version per import.

    .venv/bin/python bench/import_workbook.py                 # 30 imports
    .venv/bin/python bench/import_workbook.py --imports 100
"""

import argparse
import contextlib
import io
import json
import os
import re
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import openpyxl

HOST = "127.0.0.1"
YEAR = 2026
CODE = 101  # København: its 2026 report is not started in the demo
EMAIL = "koebenhavn@demo.fremdrift.dk"
PASSWORD = "demo-fremdrift"  # noqa: S105 - the demo's published password
FREMDRIFT = Path(sys.executable).with_name("fremdrift")
TARGET_MS = 1000.0
COLOURS = ("grøn", "gul", "rød")
CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')
HX_HEADERS = re.compile(r"<body[^>]*hx-headers='([^']+)'")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def fill(content: bytes, n: int, *, bad: bool = False) -> tuple[bytes, dict[str, tuple[str, str]]]:
    """Every row a colour and a remark, as a user types them; returns what each row should hold."""
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    sheet = workbook["Fremdriftsskema"]
    expected = {}
    opted = False
    for row in range(5, sheet.max_row + 1):
        key = sheet[f"A{row}"].value
        if not key:
            continue
        remark = f"Import {n}: {key} er i gang, se handleplanen for {YEAR}."
        if sheet[f"C{row}"].value == "KAN" and not opted:
            opted = True
            sheet[f"E{row}"], sheet[f"F{row}"] = None, remark
            sheet[f"G{row}"], sheet[f"H{row}"] = "ja", f"Fravalgt i import {n}."
            expected[key] = ("", remark)
            continue
        colour = COLOURS[(n + row) % 3]
        sheet[f"E{row}"], sheet[f"F{row}"] = colour, remark
        if sheet[f"C{row}"].value == "KAN":
            sheet[f"G{row}"], sheet[f"H{row}"] = None, None
        expected[key] = (colour, remark)
    if bad:
        sheet["E6"] = "lilla"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue(), expected


def verify(db_path: Path, expected: dict[str, tuple[str, str]], imports: int) -> list[str]:
    words = {"green": "grøn", "yellow": "gul", "red": "rød", None: ""}
    problems = []
    with contextlib.closing(sqlite3.connect(db_path)) as connection:
        rows = connection.execute(
            "SELECT r.key, e.colour, e.remark, e.version, "
            "(SELECT COUNT(DISTINCT c.version) FROM status_change c WHERE c.entry_id = e.id) "
            "FROM status_entry e JOIN recommendation r ON r.id = e.recommendation_id "
            "JOIN status_report s ON s.id = e.report_id JOIN reporting_round o ON o.id = s.round_id "
            "WHERE s.municipality_code = ? AND o.year = ?",
            (CODE, YEAR),
        ).fetchall()
    for key, colour, remark, version, versions in rows:
        if (words[colour], remark) != expected[key]:
            problems.append(f"{key}: holds {(colour, remark)}, expected {expected[key]}")
        if versions != imports or version != imports + 1:
            problems.append(f"{key}: version {version}, {versions} versions in the history; {imports} imports")
    if len(rows) != len(expected):
        problems.append(f"{len(rows)} rows in the database, {len(expected)} in the workbook")
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--imports", type=int, default=30)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="fremdrift-bench-import-") as tmp:
        workdir = Path(tmp)
        db_path = workdir / "bench.db"
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{db_path}", "FREMDRIFT_DEMO": "1"}
        subprocess.run([str(FREMDRIFT), "demo"], env=env, check=True, capture_output=True, timeout=300)
        port = free_port()
        base_url = f"http://{HOST}:{port}"
        log = (workdir / "server.log").open("wb")
        command = [str(FREMDRIFT), "serve", "--host", HOST, "--port", str(port)]
        server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            http = httpx.Client(base_url=base_url, timeout=30)
            deadline = time.monotonic() + 30
            while True:
                with contextlib.suppress(httpx.TransportError):
                    if http.get("/login").status_code == 200:
                        break
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit((workdir / "server.log").read_text())
                time.sleep(0.1)
            token = CSRF_FIELD.search(http.get("/login").text)
            assert token
            form = {"email": EMAIL, "password": PASSWORD, "next": "/", "csrf_token": token.group(1)}
            assert http.post("/login", data=form).status_code == 303
            page = http.get(f"/kommuner/{CODE}/{YEAR}")
            token = CSRF_FIELD.search(page.text)
            assert token
            started = http.post(
                f"/kommuner/{CODE}/{YEAR}/start", data={"carry_over": "false", "csrf_token": token.group(1)}
            )
            assert started.status_code == 303, started.status_code
            headers_match = HX_HEADERS.search(http.get(f"/kommuner/{CODE}/{YEAR}").text)
            assert headers_match
            headers = {**json.loads(headers_match.group(1)), "HX-Request": "true"}

            def upload(content: bytes) -> tuple[httpx.Response, float, float]:
                cpu, start = cpu_seconds(server.pid), time.perf_counter()
                response = http.post(
                    f"/kommuner/{CODE}/{YEAR}/indlaes",
                    files={"workbook": ("skema.xlsx", content, "application/octet-stream")},
                    headers=headers,
                )
                return response, (time.perf_counter() - start) * 1000, (cpu_seconds(server.pid) - cpu) * 1000

            wall, cpu, refused_wall, refused_cpu, errors = [], [], [], [], 0
            expected: dict[str, tuple[str, str]] = {}
            for n in range(1, args.imports + 3):
                workbook = http.get(f"/kommuner/{CODE}/{YEAR}/skema.xlsx").content
                if n % 5 == 0:  # now and then a workbook with one bad colour: refused, nothing written
                    content, _ = fill(workbook, n, bad=True)
                    response, ms, cpu_ms = upload(content)
                    errors += response.status_code != 422 or "Vælg grøn, gul eller rød." not in response.text
                    refused_wall.append(ms)
                    refused_cpu.append(cpu_ms)
                content, rows = fill(workbook, n)
                response, ms, cpu_ms = upload(content)
                ok = response.status_code == 200 and f"{len(rows)} rækker er ændret" in response.text
                errors += not ok
                if n > 2:  # the first two warm the server up
                    wall.append(ms)
                    cpu.append(cpu_ms)
                expected = rows
        finally:
            server.send_signal(signal.SIGINT)
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
        problems = verify(db_path, expected, args.imports + 2)

    print(f"{len(wall)} imports of one municipality's workbook (16 rows, all changed), after 2 warm-up imports")
    print("| import | p50 ms | p95 ms | max ms | server CPU ms p50 | server CPU ms p95 | target |")
    print("|---|---:|---:|---:|---:|---:|---|")
    p95 = percentile(wall, 95)
    print(
        f"| accepted | {statistics.median(wall):.0f} | {p95:.0f} | {max(wall):.0f} | "
        f"{statistics.median(cpu):.0f} | {percentile(cpu, 95):.0f} | under {TARGET_MS:.0f} ms: "
        f"{'met' if p95 < TARGET_MS else 'NOT met'} |"
    )
    if refused_wall:
        print(
            f"| refused (one bad cell) | {statistics.median(refused_wall):.0f} | {percentile(refused_wall, 95):.0f} | "
            f"{max(refused_wall):.0f} | {statistics.median(refused_cpu):.0f} | {percentile(refused_cpu, 95):.0f} | |"
        )
    print(f"errors: {errors}; verification: {problems if problems else 'ok'}")
    if errors or problems:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
