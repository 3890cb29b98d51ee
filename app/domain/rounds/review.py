"""Review: the coordinator approves a submitted report, or sends it back with a comment.

Sent back, the report opens for the municipality again (``ReportState.SENT_BACK``), the comment
is shown at the top of its page and mailed to its editors; the municipality submits again.
The rules of when are ``reports.rules.approve_refused`` and ``send_back_refused``.
"""

from datetime import datetime

from sqlmodel import Session

from app.domain.access import Action, Actor, require
from app.domain.errors import InvalidInput
from app.domain.outbox import Composer
from app.domain.reports.commands import ReportRef
from app.domain.reports.queries import get_report, user_name
from app.domain.reports.rules import MAX_COMMENT_LENGTH, approve_refused, scope_of, send_back_refused
from app.domain.rounds.notices import notify_editors
from app.domain.text import clean_text
from app.domain.vocabulary import ReportEventKind, ReportState
from app.models import ReportEvent


def report_path(municipality_code: int, year: int) -> str:
    """The municipality's page for the year, for links in mails."""
    return f"/kommuner/{municipality_code}/{year}"


def approve_report(session: Session, actor: Actor, report_id: int, *, now: datetime) -> ReportRef:
    """Approve a submitted report: it stays read-only and counts as submitted."""
    found = get_report(session, report_id)
    report = found.report
    require(actor, Action.REVIEW_REPORT, scope_of(found.municipality, report, found.round))
    if (refusal := approve_refused(found.round, report)) is not None:
        raise refusal
    report.state = ReportState.APPROVED
    report.version += 1
    session.add(report)
    assert report.id is not None
    session.add(ReportEvent(report_id=report.id, event=ReportEventKind.APPROVED, at=now, by_id=actor.user_id))
    session.flush()
    return ReportRef(report, found.round.year)


def send_back_report(
    session: Session, actor: Actor, report_id: int, *, comment: str, now: datetime, composer: Composer
) -> tuple[ReportRef, list[str]]:
    """Send a submitted report back to the municipality with a comment (required, plain text, at
    most 2,000 characters, no CPR number). Returns the report and the editors who are mailed."""
    found = get_report(session, report_id)
    report, municipality = found.report, found.municipality
    require(actor, Action.REVIEW_REPORT, scope_of(municipality, report, found.round))
    if (refusal := send_back_refused(found.round, report)) is not None:
        raise refusal
    text = clean_text(comment, field="comment", label="Kommentaren", max_length=MAX_COMMENT_LENGTH)
    if not text:
        raise InvalidInput(
            "Skriv hvad kommunen skal rette: kommentaren vises øverst på kommunens side.", field="comment"
        )
    report.state = ReportState.SENT_BACK
    report.submitted_at = None
    report.submitted_by_id = None
    report.version += 1
    session.add(report)
    assert report.id is not None
    session.add(
        ReportEvent(report_id=report.id, event=ReportEventKind.SENT_BACK, detail=text, at=now, by_id=actor.user_id)
    )
    year = found.round.year
    recipients = notify_editors(
        session,
        composer,
        municipality.code,
        kind="sent_back",
        context={
            "municipality": municipality.name,
            "year": year,
            "comment": text,
            "by": user_name(session, actor.user_id) or "Koordinatoren",
            "deadline": found.round.deadline,
            "path": report_path(municipality.code, year),
        },
        now=now,
    )
    session.flush()
    return ReportRef(report, year), recipients
