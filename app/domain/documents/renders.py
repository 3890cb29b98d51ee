"""Keeping the reports rendered ahead of the reader.

When a round's data change, the commands that changed them call ``request_renders`` in the same
transaction: a ``RenderRequest`` per report, due once the changes have settled (debounced, but
never put off for longer than ``MAX_WAIT``). A worker claims due requests (``claim_due``: on
PostgreSQL with ``FOR UPDATE SKIP LOCKED``, so several processes never take the same one),
renders, and stores the PDF keyed by the hash of exactly the data it shows (``store_render``).
A reader gets the render whose key matches the data as they stand now (``find_render``), never an
older one as if it were current.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, delete, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.models import RenderRequest, ReportRender

KKR = "kkr"
DEBOUNCE = timedelta(seconds=3)
MAX_WAIT = timedelta(seconds=30)  # a steady stream of saves still gets a fresh render this often
LEASE = timedelta(minutes=2)  # a claim by a worker that died is taken over after this
KEEP = 3  # finished renders kept per report


def municipality_subject(code: int) -> str:
    return f"municipality:{code}"


@dataclass(frozen=True)
class Claim:
    request_id: int
    round_id: int
    subject: str
    requested_at: datetime

    @property
    def municipality_code(self) -> int | None:
        return int(self.subject.split(":", 1)[1]) if self.subject.startswith("municipality:") else None


# Built once, with bound parameters: every save asks for its report's render, and building a
# statement (or loading and flushing the request as an object) cost more than running it (issue 17).
_REQUEST_OF_REPORT = select(RenderRequest.id, RenderRequest.first_requested_at).where(
    col(RenderRequest.round_id) == bindparam("round_id"), col(RenderRequest.subject) == bindparam("subject")
)
_REQUEST_AGAIN = (
    update(RenderRequest)
    .where(col(RenderRequest.id) == bindparam("request_id"))
    .values(requested_at=bindparam("now"), due_at=bindparam("due"))
    # No request is held as an object by the commands that call this: nothing to keep in step.
    .execution_options(synchronize_session=False)
)


def request_render(
    session: Session, round_id: int, subject: str, *, now: datetime, debounce: timedelta = DEBOUNCE
) -> None:
    """Ask for a fresh render of one report: due ``debounce`` after the latest change, or
    ``MAX_WAIT`` after the first unrendered one, whichever comes first. One row per report, so a
    burst of saves is one render."""
    due = now + debounce
    for _attempt in range(2):
        existing = session.exec(_REQUEST_OF_REPORT, params={"round_id": round_id, "subject": subject}).first()
        if existing is not None:
            request_id, first_requested_at = existing
            due = min(due, first_requested_at + MAX_WAIT)
            session.execute(_REQUEST_AGAIN, {"request_id": request_id, "now": now, "due": due})
            return
        try:
            with session.begin_nested():  # another process may insert the same report's row first
                session.add(
                    RenderRequest(
                        round_id=round_id, subject=subject, requested_at=now, first_requested_at=now, due_at=due
                    )
                )
            return
        except IntegrityError:
            continue


def request_renders(
    session: Session,
    round_id: int,
    *,
    now: datetime,
    municipality_code: int | None = None,
    every_municipality: list[int] | None = None,
) -> None:
    """A round's data changed: its consolidated report, and the municipality's own report (or,
    when something round-wide changed, every municipality's), are to be rendered again."""
    request_render(session, round_id, KKR, now=now)
    codes = every_municipality or ([municipality_code] if municipality_code is not None else [])
    for code in codes:
        request_render(session, round_id, municipality_subject(code), now=now)


def claim_due(session: Session, *, now: datetime) -> Claim | None:
    """Take the next due request that no live worker holds, for ``LEASE``."""
    query = (
        select(RenderRequest)
        .where(col(RenderRequest.due_at) <= now)
        .where(col(RenderRequest.claimed_until).is_(None) | (col(RenderRequest.claimed_until) < now))
        .order_by(col(RenderRequest.due_at))
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    found = session.exec(query).first()
    if found is None:
        return None
    assert found.id is not None
    found.claimed_until = now + LEASE
    found.attempts += 1
    session.add(found)
    session.flush()
    return Claim(found.id, found.round_id, found.subject, found.requested_at)


def find_render(session: Session, round_id: int, subject: str, data_key: str) -> ReportRender | None:
    """The finished render of exactly this data, if there is one."""
    return session.exec(
        select(ReportRender)
        .where(ReportRender.round_id == round_id)
        .where(ReportRender.subject == subject)
        .where(ReportRender.data_key == data_key)
    ).first()


def find_render_info(session: Session, round_id: int, subject: str, data_key: str) -> "RenderInfo | None":
    """The finished render of exactly this data, without its PDF."""
    row = session.exec(
        select(ReportRender.id, ReportRender.created_at, ReportRender.pages, ReportRender.size)
        .where(ReportRender.round_id == round_id)
        .where(ReportRender.subject == subject)
        .where(ReportRender.data_key == data_key)
    ).first()
    return RenderInfo(*row) if row else None


def has_render(session: Session, round_id: int, subject: str, data_key: str) -> bool:
    found = session.exec(
        select(ReportRender.id)
        .where(ReportRender.round_id == round_id)
        .where(ReportRender.subject == subject)
        .where(ReportRender.data_key == data_key)
    ).first()
    return found is not None


@dataclass(frozen=True)
class RenderInfo:
    id: int
    created_at: datetime
    pages: int
    size: int


def latest_render(session: Session, round_id: int, subject: str) -> RenderInfo | None:
    """The newest finished render of a report, whatever data it shows (without the PDF)."""
    row = session.exec(
        select(ReportRender.id, ReportRender.created_at, ReportRender.pages, ReportRender.size)
        .where(ReportRender.round_id == round_id)
        .where(ReportRender.subject == subject)
        .order_by(col(ReportRender.created_at).desc(), col(ReportRender.id).desc())
        .limit(1)
    ).first()
    return RenderInfo(*row) if row else None


def is_pending(session: Session, round_id: int, subject: str) -> bool:
    found = session.exec(
        select(RenderRequest.id).where(RenderRequest.round_id == round_id).where(RenderRequest.subject == subject)
    ).first()
    return found is not None


def store_render(
    session: Session, claim: Claim, *, data_key: str, pdf: bytes, pages: int, render_ms: int, now: datetime
) -> None:
    """Keep a finished render and settle the request: done, unless another change came in while
    it rendered (then it stays queued, unclaimed, for the next pass). Old renders are pruned."""
    if not has_render(session, claim.round_id, claim.subject, data_key):
        session.add(
            ReportRender(
                round_id=claim.round_id,
                subject=claim.subject,
                data_key=data_key,
                pdf=pdf,
                size=len(pdf),
                pages=pages,
                render_ms=render_ms,
                created_at=now,
            )
        )
    settle(session, claim, now=now)
    session.flush()
    keep = session.exec(
        select(ReportRender.id)
        .where(ReportRender.round_id == claim.round_id)
        .where(ReportRender.subject == claim.subject)
        .order_by(col(ReportRender.created_at).desc(), col(ReportRender.id).desc())
        .limit(KEEP)
    ).all()
    session.execute(
        delete(ReportRender)
        .where(col(ReportRender.round_id) == claim.round_id)
        .where(col(ReportRender.subject) == claim.subject)
        .where(col(ReportRender.id).not_in(list(keep)))
    )


def settle(session: Session, claim: Claim, *, now: datetime) -> None:
    """The request is done (nothing to render, or rendered), unless a newer change arrived while
    it rendered. Then it waits again with its window started afresh: kept at its old due time, a
    report that keeps changing (an editor saving all morning) would stay at the head of the queue
    and be rendered over and over while every other report, the consolidated one too, waited."""
    session.execute(
        delete(RenderRequest)
        .where(col(RenderRequest.id) == claim.request_id)
        .where(col(RenderRequest.requested_at) == claim.requested_at)
    )
    newer = session.get(RenderRequest, claim.request_id)
    if newer is not None:
        newer.claimed_until = None
        newer.first_requested_at = now
        newer.due_at = min(newer.requested_at + DEBOUNCE, now + MAX_WAIT)
        session.add(newer)
        session.flush()


def fail(session: Session, claim: Claim, error: str, *, now: datetime) -> None:
    """A render failed: try again later (the lease doubles as the back-off)."""
    session.execute(
        update(RenderRequest)
        .where(col(RenderRequest.id) == claim.request_id)
        .values(claimed_until=now + LEASE, last_error=error[:2000])
    )
