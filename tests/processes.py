"""Real `fremdrift serve` processes for the tests that need them (durability, several processes):
started on a free port against a test database, stopped or killed, and a client that saves rows
as htmx does."""

import os
import re
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

import httpx

from app.security.csrf import CSRF_HEADER, SESSION_COOKIE, csrf_token

FREMDRIFT = Path(sys.executable).with_name("fremdrift")
SECRET_KEY = "test-secret"
START_TIMEOUT_S = 30
VERSION = re.compile(r'name="version" value="(\d+)"')


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class ServerProcess:
    """One `fremdrift serve` on 127.0.0.1; a context manager that always ends it."""

    database_url: str
    log: Path
    env: dict[str, str] = field(default_factory=dict)  # more settings, e.g. FREMDRIFT_SMTP_HOST
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "ServerProcess":
        env = {**os.environ, "DATABASE_URL": self.database_url, "FREMDRIFT_SECRET_KEY": SECRET_KEY, **self.env}
        env.pop("FREMDRIFT_TRUSTED_PROXIES", None)
        command = [str(FREMDRIFT), "serve", "--port", str(self.port)]
        self.process = subprocess.Popen(command, env=env, stdout=self.log.open("ab"), stderr=subprocess.STDOUT)
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"fremdrift serve stopped at once:\n{self.log.read_text()}")
            try:
                if httpx.get(f"{self.base_url}/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        self.kill()
        raise AssertionError(f"fremdrift serve did not answer in {START_TIMEOUT_S} s:\n{self.log.read_text()}")

    def kill(self) -> None:
        """SIGKILL: no shutdown, no flush, as when the machine's OOM killer or a crash ends it."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()

    def __enter__(self) -> "ServerProcess":
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()


class Tab:
    """A logged-in browser tab against a server: the session cookie and the CSRF header."""

    def __init__(self, base_url: str, session_token: str) -> None:
        self.http = httpx.Client(base_url=base_url, cookies={SESSION_COOKIE: session_token}, timeout=10)
        token = csrf_token(SECRET_KEY, {SESSION_COOKIE: session_token})
        assert token is not None
        self.headers = {"HX-Request": "true", CSRF_HEADER: token}

    def save(self, entry_id: int, version: int, colour: str, remark: str) -> httpx.Response:
        form = {"version": str(version), "colour": colour, "remark": remark}
        return self.http.post(f"/raekker/{entry_id}", data=form, headers=self.headers)

    @staticmethod
    def version_of(response: httpx.Response) -> int:
        found = VERSION.search(response.text)
        assert found, response.text[:300]
        return int(found.group(1))

    def close(self) -> None:
        self.http.close()
