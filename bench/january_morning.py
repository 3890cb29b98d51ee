"""Load: a January morning against a running server, for a fixed time (SPEC section 4).

Builds a fresh SQLite demo database and starts `fremdrift serve` (as bench/save_status.py does),
unless ``--url`` names a running server with the demo's users. Then, at once:

- two browser tabs per KKR Hovedstaden municipality with a report in progress (the demo has one
  editor per municipality, so the two "editors" are two tabs of that editor: two sessions'
  worth of traffic on the same rows is exactly what must not lose a save): each saves one of
  its own rows, and now and then reloads the report page, with a pause between actions;
- the coordinator, in a few tabs, loading the pages a coordinator reads: the front page with the
  round's overview, a municipality's report, and the matrix and the consolidated report when the
  server has them (a path that answers 404 is left out, and said so).

Prints requests/s, p50/p95/p99 and errors per kind of request; zero errors is the bar (a 409
between the two tabs of one municipality is a conflict shown to the user, counted apart).

    .venv/bin/python bench/january_morning.py --seconds 60
"""

import argparse
import asyncio
import dataclasses
import random
import sqlite3
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

import httpx
import save_status as base

COORDINATOR = "koordinator@demo.fremdrift.dk"
COORDINATOR_PAGES = ["/", "/kommuner/{code}/{year}", "/matrix", "/rapporter/{year}/samlet"]


class Figures:
    def __init__(self) -> None:
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.errors: Counter[str] = Counter()
        self.conflicts = 0

    def record(self, kind: str, started: float, response: httpx.Response | None, ok: bool) -> None:
        self.latencies[kind].append((time.perf_counter() - started) * 1000)
        if response is not None and response.status_code == 409:
            self.conflicts += 1
        elif not ok:
            self.errors[f"{kind}: {response.status_code if response is not None else 'transport'}"] += 1


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
            except httpx.HTTPError:
                figures.record("save", started, None, False)
                continue
            version = base.VERSION.search(response.text)
            if version is not None:  # on 200 the next version, on 409 the current one
                row.version = int(version.group(1))
            figures.record("save", started, response, response.status_code == 200)
        else:
            try:
                response = await editor.http.get(f"/kommuner/{editor.code}/{base.YEAR}")
            except httpx.HTTPError:
                figures.record("report page", started, None, False)
                continue
            figures.record("report page", started, response, response.status_code == 200)


async def coordinator_tab(
    http: httpx.AsyncClient, pages: list[str], figures: Figures, deadline: float, rng: random.Random
) -> None:
    while time.perf_counter() < deadline:
        await asyncio.sleep(rng.uniform(0.5, 3.0))
        page = rng.choice(pages)
        started = time.perf_counter()
        try:
            response = await http.get(page)
        except httpx.HTTPError:
            figures.record(page, started, None, False)
            continue
        figures.record(page, started, response, response.status_code == 200)


async def morning(
    server: base.Server, seconds: float, coordinators: int, seed: int, codes: list[tuple[str, int]]
) -> tuple[Figures, float]:
    """The morning's figures and the server's CPU seconds during it (the log-ins before are not counted)."""
    url = server.base_url
    rng = random.Random(seed)
    editors = [await base.log_in(url, email, code) for email, code in codes]
    await asyncio.gather(*(base.open_report(editor, base.YEAR) for editor in editors))
    editors = [editor for editor in editors if editor.rows]
    tabs = []
    for editor in editors:
        second = editor.tab()  # the second editor: a view of the same rows, with versions of its own
        second.rows = [dataclasses.replace(row) for row in editor.rows]
        tabs += [editor, second]
    coordinator = await base.log_in(url, COORDINATOR, 0)
    first_code = editors[0].code
    pages = []
    for template in COORDINATOR_PAGES:
        page = template.format(code=first_code, year=base.YEAR)
        status = (await coordinator.http.get(page)).status_code
        if status == 200:
            pages.append(page)
        else:
            print(f"  (coordinator page {page} answers {status}: left out)")
    coordinator_tabs = [coordinator.tab().http for _ in range(coordinators)]
    print(f"{len(tabs)} editor tabs ({len(editors)} municipalities x 2), {coordinators} coordinator tabs on {pages}")
    figures = Figures()
    cpu_before = server.cpu_seconds()
    deadline = time.perf_counter() + seconds
    await asyncio.gather(
        *(editor_tab(tab, figures, deadline, random.Random(rng.random())) for tab in tabs),
        *(coordinator_tab(http, pages, figures, deadline, random.Random(rng.random())) for http in coordinator_tabs),
    )
    cpu = server.cpu_seconds() - cpu_before
    for http in [*(tab.http for tab in tabs), *coordinator_tabs, coordinator.http]:
        await http.aclose()
    return figures, cpu


def report(figures: Figures, seconds: float, server_cpu: float) -> None:
    total = sum(len(values) for values in figures.latencies.values())
    print(f"\n{'request':<30} {'count':>6} {'per s':>6} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'max ms':>7}")
    for kind, values in sorted(figures.latencies.items()):
        p = base.percentile
        print(
            f"{kind:<30} {len(values):>6} {len(values) / seconds:>6.1f} {p(values, 50):>7.1f} {p(values, 95):>7.1f} "
            f"{p(values, 99):>7.1f} {max(values):>7.1f}"
        )
    print(f"{'all':<30} {total:>6} {total / seconds:>6.1f}")
    print(f"server CPU: {server_cpu / seconds:.0%} of a core, {1000 * server_cpu / max(total, 1):.2f} ms per request")
    print(f"errors: {sum(figures.errors.values())} {dict(figures.errors) or ''}")
    print(f"conflicts between a municipality's two tabs (409, shown to the user): {figures.conflicts}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--coordinators", type=int, default=3, help="coordinator tabs")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="fremdrift-january-") as tmp:
        server = base.Server(Path(tmp), base.free_port())
        print(f"Building the demo database in {tmp} ...")
        server.build_demo()
        server.start(access_log=True)
        try:
            connection = sqlite3.connect(f"file:{server.db_path}?mode=ro", uri=True)
            codes = connection.execute(
                "SELECT email, municipality_code FROM user_account WHERE role = 'editor' ORDER BY email"
            ).fetchall()
            connection.close()
            figures, server_cpu = asyncio.run(morning(server, args.seconds, args.coordinators, args.seed, codes))
        finally:
            server.stop()
    report(figures, args.seconds, server_cpu)
    raise SystemExit(1 if figures.errors else 0)


if __name__ == "__main__":
    main()
