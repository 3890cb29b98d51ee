"""Benchmark: saving one status row over HTMX, as the browser does (SPEC section 4).

Starts its own server on 127.0.0.1 (a fresh SQLite demo database in a temporary directory,
`fremdrift serve`, one worker), logs editors in through the real log-in form, starts the 2026
reports of KKR Hovedstaden's municipalities, and then drives ``POST /raekker/{entry_id}`` with the
fields and headers htmx sends. Every client saves only its own rows and carries the version each
answer gave back, so a conflict or any other refusal is an error.

Scenarios:
  a  one client saving in a loop                      -> p50/p95/p99
  b  N clients at a fixed total rate (open loop)      -> p50/p95/p99, measured from the scheduled time
  c  N clients saving as fast as they can             -> saves/s, p50/p95

Afterwards the server is stopped and the database is read directly: every acknowledged save's
values must be there, and each row's history must hold exactly one version per acknowledged save.

    .venv/bin/python bench/save_status.py                 # all three, SPEC's figures
    .venv/bin/python bench/save_status.py --scenarios a --single-saves 2000
"""

import argparse
import asyncio
import contextlib
import itertools
import json
import math
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

HOST = "127.0.0.1"
YEAR = 2026
PASSWORD = "demo-fremdrift"  # noqa: S105 - the demo's published password
COLOURS = ("green", "yellow", "red")
FREMDRIFT = Path(sys.executable).with_name("fremdrift")
SAVE_NUMBERS = itertools.count(1)
TARGETS = {"a_p95_ms": 10.0, "b_p95_ms": 25.0, "c_saves_per_s": 150.0}

ROW_FORM = re.compile(r'<form class="row-form"[^>]*hx-post="/raekker/(\d+)".*?</form>', re.S)
VERSION = re.compile(r'name="version" value="(\d+)"')
HX_HEADERS = re.compile(r"<body[^>]*hx-headers='([^']+)'")
CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')
ROW_ID = re.compile(r'<article class="status-row[^"]*" id="(row-[^"]+)"')


# ---------------------------------------------------------------------------- the server


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    workdir: Path
    port: int
    process: subprocess.Popen[bytes] | None = None

    @property
    def db_path(self) -> Path:
        return self.workdir / "bench.db"

    @property
    def env(self) -> dict[str, str]:
        return {**os.environ, "DATABASE_URL": f"sqlite:///{self.db_path}", "FREMDRIFT_DEMO": "1"}

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def build_demo(self) -> None:
        subprocess.run([str(FREMDRIFT), "demo"], env=self.env, check=True, capture_output=True, timeout=300)

    def start(self, *, access_log: bool) -> None:
        if access_log:
            command = [str(FREMDRIFT), "serve", "--host", HOST, "--port", str(self.port)]
        else:  # the same app, straight through uvicorn, without a log line per request
            command = [
                *(sys.executable, "-m", "uvicorn", "app.main:create_app", "--factory"),
                *("--host", HOST, "--port", str(self.port), "--workers", "1", "--no-access-log"),
            ]
        log = (self.workdir / "server.log").open("wb")
        self.process = subprocess.Popen(command, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"the server stopped at once:\n{(self.workdir / 'server.log').read_text()}")
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"{self.base_url}/login", timeout=1).status_code == 200:
                    return
            time.sleep(0.1)
        self.stop()
        raise SystemExit("the server did not answer within 30 s")

    def cpu_seconds(self) -> float:
        """User + system CPU time the server process has used so far."""
        if self.process is None:
            return 0.0
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def rss_mb(self) -> float:
        if self.process is None:
            return 0.0
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return 0.0

    def profile(self, output: Path) -> subprocess.Popen[bytes]:
        """Sample the server's threads with py-spy (``pip install py-spy``) until stopped with SIGINT."""
        assert self.process is not None
        fmt = {".svg": "flamegraph", ".json": "speedscope"}.get(output.suffix, "raw")
        py_spy = Path(sys.executable).with_name("py-spy")
        command = [str(py_spy), "record", "--rate", "250", "--format", fmt, "-o", str(output)]
        return subprocess.Popen(
            [*command, "--pid", str(self.process.pid)],
            stdout=subprocess.DEVNULL,
            stderr=(self.workdir / "py-spy.log").open("wb"),
        )

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGINT)  # uvicorn's graceful shutdown
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


# ---------------------------------------------------------------------------- the clients


@dataclass
class Row:
    entry_id: int
    target: str  # the article's id, which htmx sends as HX-Target
    page_url: str
    kan: bool
    version: int
    start_version: int
    busy: asyncio.Lock = field(default_factory=asyncio.Lock)
    broken: bool = False  # an unacknowledged outcome: the row is left alone from then on


@dataclass
class Ack:
    """One acknowledged save: what was sent and the version the server said it became."""

    entry_id: int
    version: int
    colour: str
    remark: str


@dataclass
class Editor:
    """One logged-in browser: its cookies, the page's CSRF token and the rows of its report."""

    email: str
    code: int
    http: httpx.AsyncClient
    csrf: str = ""
    rows: list[Row] = field(default_factory=list)

    def tab(self) -> "Editor":
        """Another tab of the same browser: same session cookie and token, a connection pool of its own."""
        http = new_http(str(self.http.base_url))
        http.cookies = self.http.cookies
        return Editor(self.email, self.code, http, self.csrf)


@dataclass
class Results:
    latencies_ms: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    acks: list[Ack] = field(default_factory=list)
    send_lag_ms: list[float] = field(default_factory=list)


def new_http(base_url: str) -> httpx.AsyncClient:
    limits = httpx.Limits(max_connections=8, max_keepalive_connections=8)
    return httpx.AsyncClient(base_url=base_url, timeout=30, limits=limits, follow_redirects=False)


async def log_in(base_url: str, email: str, code: int) -> Editor:
    """Through the real form: the pre-session CSRF token, then the session cookie."""
    http = new_http(base_url)
    page = await http.get("/login")
    token = CSRF_FIELD.search(page.text)
    assert token, "no csrf_token on the log-in page"
    response = await http.post(
        "/login", data={"email": email, "password": PASSWORD, "next": "/", "csrf_token": token.group(1)}
    )
    if response.status_code != 303:
        raise SystemExit(f"log-in as {email} failed: {response.status_code}")
    return Editor(email, code, http)


async def open_report(editor: Editor, year: int) -> None:
    """Start the report if it is not started, then read the rows, their versions and the CSRF token."""
    url = f"/kommuner/{editor.code}/{year}"
    page = await editor.http.get(url)
    if "/start" in page.text and "Start tom" in page.text:
        token = CSRF_FIELD.search(page.text)
        assert token
        started = await editor.http.post(f"{url}/start", data={"carry_over": "false", "csrf_token": token.group(1)})
        assert started.status_code == 303, started.status_code
        page = await editor.http.get(url)
    headers = HX_HEADERS.search(page.text)
    assert headers, "no hx-headers on the report page"
    editor.csrf = json.loads(headers.group(1))["X-CSRF-Token"]
    targets = ROW_ID.findall(page.text)
    for form in ROW_FORM.finditer(page.text):
        version = VERSION.search(form.group(0))
        assert version
        before = page.text[: form.start()]
        target = ROW_ID.findall(before)[-1] if ROW_ID.findall(before) else targets[0]
        editor.rows.append(
            Row(
                entry_id=int(form.group(1)),
                target=target,
                page_url=str(editor.http.base_url).rstrip("/") + url,
                kan='name="opt_out_reason"' in form.group(0),
                version=int(version.group(1)),
                start_version=int(version.group(1)),
            )
        )


async def save(editor: Editor, row: Row, n: int, results: Results, scheduled: float | None = None) -> None:
    """One save, exactly as htmx posts the row's form; the answer's version becomes the row's."""
    async with row.busy:
        if row.broken:
            results.errors["row skipped after an earlier unclear outcome"] += 1
            return
        # Every save changes the row (a save that changes nothing is answered without a new version).
        colour = COLOURS[n % 3]
        remark = f"Benchmark: gemning nr. {next(SAVE_NUMBERS)} af {editor.email.split('@')[0]}."
        data = {"version": str(row.version), "colour": colour, "remark": remark}
        if row.kan:
            data["opt_out_reason"] = ""
        headers = {
            "HX-Request": "true",
            "HX-Current-URL": row.page_url,
            "HX-Target": row.target,
            "X-CSRF-Token": editor.csrf,
        }
        started = time.perf_counter()
        if scheduled is not None:
            results.send_lag_ms.append((started - scheduled) * 1000)
        try:
            response = await editor.http.post(f"/raekker/{row.entry_id}", data=data, headers=headers)
        except httpx.HTTPError as error:
            results.errors[f"transport: {type(error).__name__}"] += 1
            row.broken = True
            return
        finished = time.perf_counter()
        results.latencies_ms.append((finished - (scheduled if scheduled is not None else started)) * 1000)
        if response.status_code != 200:
            results.errors[f"HTTP {response.status_code}"] += 1
            row.broken = True  # its version is no longer known for sure
            return
        version = VERSION.search(response.text)
        if version is None or int(version.group(1)) != row.version + 1 or "Gemt" not in response.text:
            results.errors["200 without the next version and 'Gemt'"] += 1
            row.broken = True
            return
        row.version += 1
        results.acks.append(Ack(row.entry_id, row.version, colour, remark))


# ---------------------------------------------------------------------------- scenarios


async def closed_loop(clients: list[tuple[Editor, list[Row]]], *, saves: int | None, seconds: float | None) -> Results:
    """Each client saves, waits for the answer, and saves again (round-robin over its own rows)."""
    results = Results()
    counter = itertools.count()
    deadline = time.perf_counter() + seconds if seconds else None

    async def run(editor: Editor, rows: list[Row]) -> None:
        for row in itertools.cycle(rows):
            if deadline is not None and time.perf_counter() >= deadline:
                return
            n = next(counter)
            if saves is not None and n >= saves:
                return
            await save(editor, row, n, results)

    await asyncio.gather(*(run(editor, rows) for editor, rows in clients))
    return results


async def open_loop(clients: list[tuple[Editor, list[Row]]], *, rate: float, seconds: float) -> Results:
    """Sends on a clock, whatever the answers do; a late answer counts from when it should have gone."""
    results = Results()
    cursors = [itertools.cycle(rows) for _, rows in clients]
    tasks: list[asyncio.Task[None]] = []
    start = time.perf_counter() + 0.1
    for n in range(int(rate * seconds)):
        scheduled = start + n / rate
        delay = scheduled - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        index = n % len(clients)
        editor = clients[index][0]
        tasks.append(asyncio.create_task(save(editor, next(cursors[index]), n, results, scheduled)))
    await asyncio.gather(*tasks)
    return results


# ---------------------------------------------------------------------------- figures


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)  # nearest rank
    return ordered[max(0, min(len(ordered) - 1, math.ceil(p / 100 * len(ordered)) - 1))]


@dataclass
class Line:
    name: str
    saves: int
    seconds: float
    results: Results
    server_cpu: float
    client_cpu: float
    other_cpu: float
    verdict: str


def print_table(lines: list[Line]) -> None:
    head = (
        f"{'scenario':<34} {'saves':>6} {'errors':>6} {'saves/s':>8} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} "
        f"{'max ms':>7} {'cpu ms':>6} {'server':>6} {'bench':>6} {'other':>6}  target"
    )
    print(head)
    print("-" * len(head) + "-" * 30)
    for line in lines:
        lat = line.results.latencies_ms
        print(
            f"{line.name:<34} {line.saves:>6} {sum(line.results.errors.values()):>6} "
            f"{line.saves / line.seconds:>8.1f} {percentile(lat, 50):>7.2f} {percentile(lat, 95):>7.2f} "
            f"{percentile(lat, 99):>7.2f} {max(lat, default=float('nan')):>7.2f} "
            f"{1000 * line.server_cpu / max(line.saves, 1):>6.2f} "
            f"{line.server_cpu / line.seconds:>6.0%} {line.client_cpu / line.seconds:>6.0%} "
            f"{line.other_cpu / line.seconds:>6.0%}  {line.verdict}"
        )
    print(
        "cpu ms: the server's CPU time (user + system, from /proc) over the scenario, divided by its saves;\n"
        "  it compares across machines and does not depend on how busy the other cores are."
    )
    print(
        "server / bench / other: CPU used by the server, by this script, and by everything else on the machine, "
        f"per second of the scenario ({os.cpu_count()} CPUs = {os.cpu_count() or 1}00 %)."
    )


def verify(db_path: Path, rows: list[Row], acks: list[Ack]) -> list[str]:
    """Read the database directly: the last acknowledged values are there, one history version per ack."""
    problems: list[str] = []
    connection = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        current = {
            entry_id: (version, colour, remark)
            for entry_id, version, colour, remark in connection.execute(
                "SELECT id, version, colour, remark FROM status_entry"
            )
        }
        history: dict[int, set[int]] = {}
        for entry_id, version in connection.execute("SELECT DISTINCT entry_id, version FROM status_change"):
            history.setdefault(entry_id, set()).add(version)
    finally:
        connection.close()
    by_row: dict[int, list[Ack]] = {}
    for ack in acks:
        by_row.setdefault(ack.entry_id, []).append(ack)
    for row in rows:
        row_acks = sorted(by_row.get(row.entry_id, []), key=lambda ack: ack.version)
        if not row_acks:
            continue
        versions = [ack.version for ack in row_acks]
        if len(set(versions)) != len(versions):
            problems.append(f"row {row.entry_id}: two saves acknowledged with the same version")
        last = row_acks[-1]
        version, colour, remark = current[row.entry_id]
        if not row.broken and (version, colour, remark) != (last.version, last.colour, last.remark):
            problems.append(
                f"row {row.entry_id}: database has v{version} {colour} {remark!r}, "
                f"last acknowledged v{last.version} {last.colour} {last.remark!r}"
            )
        written = {v for v in history.get(row.entry_id, set()) if v > row.start_version}
        if not set(versions) <= written:
            problems.append(
                f"row {row.entry_id}: acknowledged versions {sorted(set(versions) - written)} not in history"
            )
        if not row.broken and written - set(versions):
            problems.append(f"row {row.entry_id}: history has versions {sorted(written - set(versions))} never acked")
    return problems


# ---------------------------------------------------------------------------- main


async def prepare(server: Server, clients: int) -> list[tuple[Editor, list[Row]]]:
    """Log every KKR Hovedstaden editor in, open their reports, and give each client its own rows."""
    connection = sqlite3.connect(f"file:{server.db_path}?mode=ro", uri=True)
    try:
        editors_in_db = connection.execute(
            "SELECT u.email, u.municipality_code FROM user_account u WHERE u.role = 'editor' ORDER BY u.email"
        ).fetchall()
    finally:
        connection.close()
    editors = [await log_in(server.base_url, email, code) for email, code in editors_in_db]
    await asyncio.gather(*(open_report(editor, YEAR) for editor in editors))
    editors = [editor for editor in editors if editor.rows]  # submitted reports are read-only
    pool = [(editor, row) for editor in editors for row in editor.rows]
    if len(pool) < clients:
        raise SystemExit(f"only {len(pool)} editable rows for {clients} clients")
    # Deal rows out like cards, so each client gets rows of its own (and mostly its own editor's).
    hands: list[tuple[Editor, list[Row]]] = []
    per_client = len(pool) // clients
    for index in range(clients):
        chunk = pool[index * per_client : (index + 1) * per_client]
        editor = chunk[0][0]
        # A client speaks as one editor (in a tab of its own), so it keeps only that editor's rows.
        hands.append((editor.tab(), [row for owner, row in chunk if owner is editor]))
    for editor in editors:
        await editor.http.aclose()
    return hands


def cpu_of_this_process() -> float:
    times = os.times()
    return times.user + times.system


def cpu_of_the_machine() -> float:
    """Busy CPU seconds of all processes (from /proc/stat), to see what else ran during a scenario."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields[:8]
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


async def run_scenario(
    name: str, server: Server, scenario: Callable[[], Awaitable[Results]], verdict: Callable[[Line], str]
) -> tuple[Line, Results]:
    server_cpu, client_cpu, started = server.cpu_seconds(), cpu_of_this_process(), time.perf_counter()
    machine_cpu = cpu_of_the_machine()
    results = await scenario()
    seconds = time.perf_counter() - started
    server_cpu, client_cpu = server.cpu_seconds() - server_cpu, cpu_of_this_process() - client_cpu
    other_cpu = max(0.0, cpu_of_the_machine() - machine_cpu - server_cpu - client_cpu)
    line = Line(
        name=name,
        saves=len(results.acks),
        seconds=seconds,
        results=results,
        server_cpu=server_cpu,
        client_cpu=client_cpu,
        other_cpu=other_cpu,
        verdict="",
    )
    line.verdict = verdict(line)
    return line, results


def met(ok: bool) -> str:
    return "met" if ok else "NOT met"


async def benchmark(args: argparse.Namespace, server: Server) -> tuple[list[Line], list[Row], list[Ack], Counter[str]]:
    hands = await prepare(server, args.clients)
    all_rows = [row for _, rows in hands for row in rows]
    print(
        f"{len({editor.email for editor, _ in hands})} editors logged in through the form, {len(all_rows)} rows "
        f"dealt to {args.clients} clients ({min(len(r) for _, r in hands)}-{max(len(r) for _, r in hands)} each)."
    )
    lines: list[Line] = []
    # Warm up (templates compiled, connections open). Its saves are verified like the rest.
    warm = await closed_loop(hands[:4], saves=args.warmup, seconds=None)
    acks: list[Ack] = list(warm.acks)
    warm_errors = warm.errors
    profiler = server.profile(args.profile) if args.profile else None
    if "a" in args.scenarios:
        line, results = await run_scenario(
            f"a) 1 client, {args.single_saves} saves in a loop",
            server,
            lambda: closed_loop(hands[:1], saves=args.single_saves, seconds=None),
            lambda ln: (
                f"p95 < {TARGETS['a_p95_ms']:.0f} ms: "
                + met(percentile(ln.results.latencies_ms, 95) < TARGETS["a_p95_ms"])
            ),
        )
        lines.append(line)
        acks += results.acks
    if "b" in args.scenarios:
        line, results = await run_scenario(
            f"b) {args.clients} clients, {args.rate:.0f}/s open loop",
            server,
            lambda: open_loop(hands, rate=args.rate, seconds=args.open_seconds),
            lambda ln: (
                f"p95 < {TARGETS['b_p95_ms']:.0f} ms: "
                + met(percentile(ln.results.latencies_ms, 95) < TARGETS["b_p95_ms"])
            ),
        )
        lines.append(line)
        acks += results.acks
        lag = results.send_lag_ms
        print(f"   (b: the client sent p50 {percentile(lag, 50):.2f} ms / p99 {percentile(lag, 99):.2f} ms late)")
    if "c" in args.scenarios:
        line, results = await run_scenario(
            f"c) {args.clients} clients, as fast as they can",
            server,
            lambda: closed_loop(hands, saves=None, seconds=args.saturate_seconds),
            lambda ln: (
                f">= {TARGETS['c_saves_per_s']:.0f} saves/s: " + met(ln.saves / ln.seconds >= TARGETS["c_saves_per_s"])
            ),
        )
        lines.append(line)
        acks += results.acks
    for editor, _ in hands:
        await editor.http.aclose()
    if profiler is not None:
        profiler.send_signal(signal.SIGINT)
        profiler.wait(timeout=60)
        print(f"py-spy profile of the server during the scenarios: {args.profile}")
    return lines, all_rows, acks, warm_errors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scenarios", default="abc", help="which of a, b, c to run (default: abc)")
    parser.add_argument("--clients", type=int, default=50, help="clients in b and c (default: 50)")
    parser.add_argument("--single-saves", type=int, default=500, help="saves in a (default: 500)")
    parser.add_argument("--rate", type=float, default=100.0, help="total saves/s in b (default: 100)")
    parser.add_argument("--open-seconds", type=float, default=20.0, help="duration of b (default: 20)")
    parser.add_argument("--saturate-seconds", type=float, default=15.0, help="duration of c (default: 15)")
    parser.add_argument("--warmup", type=int, default=40, help="saves before measuring (default: 40)")
    parser.add_argument(
        "--no-access-log",
        action="store_true",
        help="run uvicorn directly without its access log, instead of `fremdrift serve`",
    )
    parser.add_argument(
        "--profile",
        type=Path,
        help="record the server with py-spy during the scenarios into this file (.svg flame graph, "
        ".json speedscope, anything else: collapsed stacks)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (database, server log)")
    args = parser.parse_args()
    if not 1 <= args.clients <= 200 or args.rate <= 0 or args.rate > 2000:
        parser.error("clients must be 1-200 and rate 0-2000 saves/s")
    if max(args.open_seconds, args.saturate_seconds) > 600 or args.single_saves > 100_000:
        parser.error("keep each scenario under 10 minutes and 100,000 saves")

    workdir = Path(tempfile.mkdtemp(prefix="fremdrift-bench-"))
    server = Server(workdir, free_port())
    print(f"Building the demo database in {workdir} ...")
    server.build_demo()
    server.start(access_log=not args.no_access_log)
    how = "uvicorn, no access log" if args.no_access_log else "`fremdrift serve`, access log on"
    print(f"Server: {how}, 1 worker, {server.base_url}; SQLite {server.db_path.name}; {os.cpu_count()} CPUs")
    try:
        with contextlib.suppress(ImportError):
            import uvloop

            asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
        lines, rows, acks, warm_errors = asyncio.run(benchmark(args, server))
        rss = server.rss_mb()
    finally:
        server.stop()

    print()
    print_table(lines)
    print()
    errors: Counter[str] = Counter(warm_errors)
    for line in lines:
        errors.update(line.results.errors)
    print(f"Errors: {sum(errors.values())}" + "".join(f"\n  {count:>6}  {kind}" for kind, count in errors.items()))
    print(f"Server peak RSS: {rss:.0f} MB")
    problems = verify(server.db_path, rows, acks)
    touched = len({ack.entry_id for ack in acks})
    print(
        f"Verification (database read after the server stopped): {len(acks)} acknowledged saves on {touched} rows "
        f"(warm-up included): "
        + ("no lost saves, one history version per save." if not problems else f"{len(problems)} PROBLEMS:")
    )
    for problem in problems[:20]:
        print(f"  {problem}")
    if args.keep:
        print(f"Kept {workdir}")
    else:
        for path in sorted(workdir.iterdir()):
            path.unlink()
        workdir.rmdir()
    sys.exit(1 if problems or errors else 0)


if __name__ == "__main__":
    main()
