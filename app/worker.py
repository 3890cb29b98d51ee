"""Background jobs: a small loop that runs each job every few seconds.

A job is a plain function ``run(database, now)`` (the outbox sender, scheduled reminders, ...).
The loop runs in a thread of ``fremdrift serve`` (unless ``FREMDRIFT_WORKER_IN_SERVE=false``) or
on its own as ``fremdrift worker``. Several loops may run against one PostgreSQL database: every
job claims its rows (``SELECT ... FOR UPDATE SKIP LOCKED``), so no two do the same work.

To add a job, add one line to ``jobs_for``.
"""

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial

from app.config import Settings
from app.db import Database
from app.domain.accounts.mails import forget_sent_links
from app.domain.rounds.reminders import send_scheduled_reminders
from app.mail.compose import Composer
from app.mail.sender import send_due_mail
from app.pdf.jobs import render_due_reports

logger = logging.getLogger("fremdrift.worker")

JobFunction = Callable[[Database, datetime], object]


@dataclass(frozen=True)
class Job:
    name: str
    run: JobFunction


def scheduled_reminders(database: Database, now: datetime, *, composer: Composer) -> int:
    """The rounds' reminder schedules, in one write transaction (``rounds.reminders``)."""
    with database.write() as session:
        return send_scheduled_reminders(session, now=now, composer=composer)


def forget_sent_account_links(database: Database, now: datetime) -> int:
    """Account mails, once sent, are kept without their single-use link (``accounts.mails``)."""
    with database.write() as session:
        return forget_sent_links(session, now=now)


def jobs_for(settings: Settings) -> list[Job]:
    """Every background job, in the order one pass runs them."""
    composer = Composer(settings.public_url)
    return [
        Job("reminders", partial(scheduled_reminders, composer=composer)),
        Job("outbox", partial(send_due_mail, settings=settings)),
        # A few reports a pass, so the mail is never kept waiting long (the layout runs in a
        # render process of its own, app.pdf.jobs).
        Job("reports", partial(render_due_reports, limit=3)),
        Job("account_links", forget_sent_account_links),
    ]


def utc_now() -> datetime:
    return datetime.now(UTC)


def run_once(database: Database, jobs: list[Job], now: datetime) -> dict[str, object]:
    """One pass over the jobs. A job that fails is logged and does not stop the others."""
    results: dict[str, object] = {}
    for job in jobs:
        try:
            results[job.name] = job.run(database, now)
        except Exception:
            logger.exception("background job %s failed", job.name)
    return results


class Worker:
    """Runs the jobs every ``interval`` seconds until stopped."""

    def __init__(
        self,
        database: Database,
        jobs: list[Job],
        *,
        interval: float,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.database = database
        self.jobs = jobs
        self.interval = interval
        self.clock = clock
        self.stopping = threading.Event()
        self.thread: threading.Thread | None = None

    def run(self) -> None:
        while not self.stopping.is_set():
            run_once(self.database, self.jobs, self.clock())
            self.stopping.wait(self.interval)

    def start(self) -> threading.Thread:
        self.thread = threading.Thread(target=self.run, name="fremdrift-worker", daemon=True)
        self.thread.start()
        return self.thread

    def stop(self, timeout: float = 30) -> None:
        self.stopping.set()
        if self.thread is not None:
            self.thread.join(timeout)
