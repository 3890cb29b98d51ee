"""`fremdrift report kkr` and `fremdrift report municipality` write the PDFs."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli import app as cli
from tests.pdf_tools import pdf_text, pdfinfo
from tests.scenarios import World


@pytest.fixture
def env(world: World, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    from app.config import get_settings

    monkeypatch.setenv("DATABASE_URL", world.db.url)
    get_settings.cache_clear()
    yield world
    get_settings.cache_clear()


def test_report_commands_write_tagged_pdfs(env: World, tmp_path: Path) -> None:
    runner = CliRunner()
    kkr_file = tmp_path / "kkr.pdf"
    result = runner.invoke(cli, ["report", "kkr", "--kkr", "KKR Hovedstaden", "--year", "2025", "-o", str(kkr_file)])
    assert result.exit_code == 0, result.output
    assert "sider" in result.output
    assert "1 af 29 kommuner har indsendt" in pdf_text(kkr_file.read_bytes(), tmp_path)
    assert pdfinfo(kkr_file.read_bytes(), tmp_path)["Tagged"] == "yes"

    own = tmp_path / "201.pdf"
    result = runner.invoke(cli, ["report", "municipality", "--code", "201", "--year", "2025", "-o", str(own)])
    assert result.exit_code == 0, result.output
    assert "Allerød Kommune" in pdf_text(own.read_bytes(), tmp_path)

    missing = runner.invoke(
        cli, ["report", "kkr", "--kkr", "KKR Atlantis", "--year", "2025", "-o", str(tmp_path / "x")]
    )
    assert missing.exit_code == 1
    assert "Ukendt KKR" in missing.output


def test_report_worker_renders_what_is_due_in_its_render_process(env: World) -> None:
    from datetime import UTC, datetime, timedelta

    from sqlmodel import select

    from app.domain.documents.renders import municipality_subject, request_render
    from app.models import RenderRequest, ReportRender

    with env.db.write() as session:
        for request in session.exec(select(RenderRequest)):
            session.delete(request)
        request_render(
            session, env.round.id or 0, municipality_subject(201), now=datetime.now(UTC), debounce=timedelta(0)
        )
    result = CliRunner().invoke(cli, ["report", "worker", "--once"])
    assert result.exit_code == 0, result.output
    assert "1 PDF'er dannet." in result.output
    with env.db.read() as session:
        rendered = session.exec(select(ReportRender)).one()
    assert rendered.subject == municipality_subject(201) and rendered.pdf.startswith(b"%PDF")
