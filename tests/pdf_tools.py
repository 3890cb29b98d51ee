"""Reading PDFs back as a reader's tools do: text (poppler's pdftotext), tagging (pdfinfo), and
the PDF/UA checkers from PyPI."""

import socket
import subprocess
import threading
from dataclasses import dataclass, field
from pathlib import Path


def pdf_pages(pdf: bytes, tmp_path: Path) -> list[str]:
    """The text of each page, in content order (``pdftotext -raw``), whitespace collapsed."""
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", str(path), "-"], check=True, capture_output=True)
    return [" ".join(page.split()) for page in out.stdout.decode().split("\f")[:-1]]


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    return " ".join(pdf_pages(pdf, tmp_path))


def pdfinfo(pdf: bytes, tmp_path: Path) -> dict[str, str]:
    path = tmp_path / "info.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout
    return {key.strip(): value.strip() for key, _, value in (line.partition(":") for line in out.splitlines())}


def words(text: str) -> str:
    return " ".join(text.split())


@dataclass
class Listener:
    """A TCP listener on 127.0.0.1 that records every connection made to it."""

    server: socket.socket
    url: str
    connections: list[tuple[str, int]] = field(default_factory=list)

    def serve(self) -> None:
        while True:
            try:
                connection, address = self.server.accept()
            except OSError:
                return
            self.connections.append(address)
            connection.close()

    def close(self) -> None:
        self.server.close()


def start_listener() -> Listener:
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    host, port = server.getsockname()
    listener = Listener(server, f"http://{host}:{port}")
    threading.Thread(target=listener.serve, daemon=True).start()
    return listener
