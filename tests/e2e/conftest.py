"""The real thing for browser tests: a demo database, `fremdrift serve` on a free port, and the
system Chromium (headless, no network beyond the app). Nothing here is downloaded."""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
FREMDRIFT = Path(sys.executable).with_name("fremdrift")
START_TIMEOUT_S = 20
# How long an expectation waits for the page to get there: twice Playwright's 5 s, because the
# suite shares two cores with the server and Chromium. It waits for the same answer, no sooner.
expect.set_options(timeout=10_000)


@dataclass(frozen=True)
class LiveServer:
    base_url: str
    host: str
    port: int
    database_url: str


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_until_up(process: subprocess.Popen[bytes], url: str, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"fremdrift serve stopped at once (exit {process.returncode}):\n{log.read_text()}")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    pytest.fail(f"fremdrift serve did not answer within {START_TIMEOUT_S} s:\n{log.read_text()}")


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """`fremdrift demo` into a temporary SQLite file, then `fremdrift serve` on a free port."""
    yield from serve_demo(tmp_path_factory)


@pytest.fixture(scope="module")
def own_live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A demo server for one test module alone, for tests whose changes others must not see
    (a new round changes every user's front page)."""
    yield from serve_demo(tmp_path_factory)


def serve_demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    # Fail, never skip: scripts/test installs both, so a missing one is a broken set-up to see.
    if not FREMDRIFT.exists():
        pytest.fail(f"{FREMDRIFT} is not installed: run scripts/test, which installs it")
    workdir = tmp_path_factory.mktemp("e2e")
    database_url = f"sqlite:///{workdir / 'demo.db'}"
    env = {**os.environ, "DATABASE_URL": database_url, "FREMDRIFT_DEMO": "1"}
    subprocess.run([str(FREMDRIFT), "demo"], env=env, check=True, capture_output=True, timeout=120)

    port = free_port()
    log = workdir / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(FREMDRIFT), "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(process, f"{base_url}/login", log)
        yield LiveServer(base_url, "127.0.0.1", port, database_url)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """The system Chromium through Playwright (never `playwright install`)."""
    from playwright import sync_api

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is not installed: run scripts/test, which installs it with apt-get")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
