"""`fremdrift demo`: the database behind the README's first command."""

from collections.abc import Callable, Iterator

import pytest
from sqlmodel import col, func, select
from typer.testing import CliRunner, Result

from app.cli import app as cli_app
from app.config import get_settings
from app.db import Database
from app.demo import ALLEROED, OPEN_YEAR, PAST_YEARS, UNDELIVERABLE
from app.domain.vocabulary import MailState, ReportEventKind, Role
from app.models import OutboxMail, ReportEvent, ReportingRound, StatusChange, StatusEntry, StatusReport, User

Run = Callable[..., Result]


@pytest.fixture
def fremdrift(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Run]:
    """The command line, pointed at the test database."""
    monkeypatch.setenv("DATABASE_URL", database_url)
    get_settings.cache_clear()
    runner = CliRunner()

    def run(*args: str) -> Result:
        return runner.invoke(cli_app, list(args))

    yield run
    get_settings.cache_clear()


def test_demo_has_closed_past_years_an_open_round_and_a_fictional_login_for_each_role(
    fremdrift: Run, database_url: str
) -> None:
    result = fremdrift("demo")

    assert result.exit_code == 0, result.output
    assert "fiktive" in result.output
    for email in ("admin@", "koordinator@", "laeser@", "alleroed@"):
        assert email in result.output

    database = Database(database_url)
    try:
        with database.read() as session:
            rounds = {r.year: r.state for r in session.exec(select(ReportingRound))}
            roles = set(session.exec(select(User.role)))
            open_round = session.exec(select(ReportingRound).where(ReportingRound.year == OPEN_YEAR)).one()
            alleroed_open = session.exec(
                select(StatusReport)
                .where(StatusReport.round_id == open_round.id)
                .where(StatusReport.municipality_code == ALLEROED)
            ).first()
            past_reports = session.exec(
                select(func.count()).select_from(StatusReport).where(col(StatusReport.round_id) != open_round.id)
            ).one()
            coloured_rows = session.exec(
                select(func.count()).select_from(StatusEntry).where(col(StatusEntry.colour).is_not(None))
            ).one()
            mail = {(m.state, m.last_error) for m in session.exec(select(OutboxMail))}
            committees = session.exec(
                select(func.count()).select_from(ReportEvent).where(ReportEvent.event == ReportEventKind.COMMITTEE)
            ).one()
            remarks_in_history = session.exec(
                select(func.count()).select_from(StatusChange).where(StatusChange.field == "remark")
            ).one()
    finally:
        database.dispose()

    assert rounds == {**dict.fromkeys(PAST_YEARS, "closed"), OPEN_YEAR: "open"}
    assert roles == {role.value for role in Role}
    assert alleroed_open is None  # left for the visitor to start
    assert past_reports > 0
    assert coloured_rows > 0
    # The past years went through the commands: their history and timeline are the product's own.
    assert committees == past_reports
    assert remarks_in_history > 0
    # Reminders and the sent-back report are queued, but to fictional addresses: none is sent.
    assert mail == {(MailState.FAILED, UNDELIVERABLE)}


def test_demo_without_reset_leaves_a_database_with_users_alone(fremdrift: Run) -> None:
    assert fremdrift("demo").exit_code == 0

    again = fremdrift("demo", "--no-reset")

    assert again.exit_code == 0, again.output
    assert "allerede brugere" in again.output
