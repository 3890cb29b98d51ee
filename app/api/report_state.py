"""The answer of every action on a whole report (submit, reopen, committee, approve, send back):
the report found by municipality and year, the command run in one write, and its state after."""

from collections.abc import Callable

from sqlmodel import Session

from app.api.schemas import ReportStateOut
from app.db import Database
from app.domain.reports.commands import ReportRef
from app.domain.reports.queries import get_report_id
from app.models import StatusReport


def report_state_out(report: StatusReport) -> ReportStateOut:
    assert report.id is not None
    return ReportStateOut(
        report_id=report.id,
        state=report.state,
        version=report.version,
        committee_name=report.committee_name,
        committee_date=report.committee_date,
    )


def on_report(
    database: Database, code: int, year: int, command: Callable[[Session, int], ReportRef | StatusReport]
) -> ReportStateOut:
    """Run ``command(session, report_id)`` on the municipality's report of ``year``."""
    with database.write() as session:
        done = command(session, get_report_id(session, code, year))
    return report_state_out(done.report if isinstance(done, ReportRef) else done)
