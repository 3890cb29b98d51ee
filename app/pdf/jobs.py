"""The background job that keeps the reports rendered: ``render_due_reports(database, now)``.

It runs in the worker loop (``app.worker``) of ``fremdrift serve`` or ``fremdrift worker``. The
layout itself runs in a separate render process that keeps WeasyPrint, its stylesheet and its
font configuration loaded between renders, so a render never holds the web server's GIL and
never blocks a request. Several workers on one PostgreSQL never take the same request.
"""

import logging
import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from functools import cache

from app.db import Database
from app.domain.documents.reading import document_of
from app.domain.documents.renders import claim_due, fail, has_render, settle, store_render
from app.domain.documents.shapes import data_key
from app.pdf.renderer import RenderedPdf, renderer

logger = logging.getLogger("fremdrift.reports")

RenderHtml = Callable[[str], RenderedPdf]


PARENT_CHECK_SECONDS = 1.0


def _exit_when_orphaned(parent_pid: int) -> None:
    # A pool's worker waits for work forever: if the server is killed (SIGKILL, the OOM killer)
    # nobody tells it, and it would stay behind holding WeasyPrint's memory. Once it has been
    # handed to another parent, the server is gone, and so is every reason to live.
    while os.getppid() == parent_pid:
        time.sleep(PARENT_CHECK_SECONDS)
    os._exit(0)


def _warm_up() -> None:
    threading.Thread(target=_exit_when_orphaned, args=(os.getppid(),), daemon=True).start()
    renderer()


def _render_here(html: str) -> RenderedPdf:
    return renderer().render(html)


@cache
def _pool() -> ProcessPoolExecutor:
    # spawn: the render process starts clean rather than as a fork of a threaded server.
    return ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"), initializer=_warm_up)


def render_in_render_process(html: str) -> RenderedPdf:
    """Render in the process's render process (started on first use, kept loaded)."""
    return _pool().submit(_render_here, html).result(timeout=300)


def render_due_reports(
    database: Database,
    now: datetime,
    *,
    render: RenderHtml = render_in_render_process,
    limit: int = 40,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> int:
    """Render the reports whose data changed and have settled, up to ``limit`` of them. Returns
    how many PDFs were rendered. A report whose data are back to an already rendered state is
    settled without rendering."""
    from app.pdf.documents import html_of

    rendered = 0
    for _ in range(limit):
        with database.write() as session:
            claim = claim_due(session, now=now)
        if claim is None:
            break
        try:
            with database.read() as session:
                document = document_of(session, claim.round_id, claim.subject)
                key = data_key(document)
                done = has_render(session, claim.round_id, claim.subject, key)
            if done:
                with database.write() as session:
                    settle(session, claim, now=clock())
                continue
            started = time.perf_counter()
            result = render(html_of(document))
            with database.write() as session:
                store_render(
                    session,
                    claim,
                    data_key=key,
                    pdf=result.pdf,
                    pages=result.pages,
                    render_ms=round(1000 * (time.perf_counter() - started)),
                    now=clock(),
                )
            rendered += 1
        except Exception as error:
            logger.exception("rendering %s of round %s failed", claim.subject, claim.round_id)
            with database.write() as session:
                fail(session, claim, f"{type(error).__name__}: {error}", now=clock())
    return rendered
