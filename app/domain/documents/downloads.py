"""What a reader gets when they ask for a report's PDF: the finished render of exactly the data
the report shows now, or word that it is being rendered (with the previous render offered as
what it is: an earlier version)."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session

from app.domain.documents import renders
from app.domain.documents.reading import Consolidated, Council
from app.domain.documents.shapes import data_key
from app.models import ReportRender


@dataclass(frozen=True)
class PdfState:
    round_id: int
    subject: str
    data_key: str
    filename: str
    current: renders.RenderInfo | None  # the render of the data as they stand, if finished
    latest: renders.RenderInfo | None  # the newest render of any data
    pending: bool  # a render is queued or under way
    may_see_earlier: bool  # the reader's own work, not frozen: an earlier render may be offered

    @property
    def ready(self) -> bool:
        return self.current is not None

    @property
    def earlier(self) -> renders.RenderInfo | None:
        """The newest render, when it shows older data than the report does now, offered only to
        those who work on the report: an earlier render of a municipality's report can show rows
        from before it was submitted, and one of a published round its draft."""
        if not self.may_see_earlier or self.latest is None:
            return None
        if self.current is not None and self.latest.id == self.current.id:
            return None
        return self.latest


def _filename(source: Consolidated | Council) -> str:
    if isinstance(source, Consolidated):
        name = f"samlet-afrapportering-{source.report.kkr}-{source.report.year}"
    else:
        name = f"statusrapport-{source.report.municipality}-{source.report.year}"
    return "".join(char if char.isalnum() or char == "-" else "-" for char in name.lower()) + ".pdf"


def pdf_state(session: Session, source: Consolidated | Council) -> PdfState:
    """Where the PDF of ``source`` stands (access was checked when ``source`` was read)."""
    round_id = source.round.id if isinstance(source, Consolidated) else source.address.round.id
    assert round_id is not None
    key = data_key(source.report)
    current = renders.find_render_info(session, round_id, source.subject, key)
    return PdfState(
        round_id=round_id,
        subject=source.subject,
        data_key=key,
        filename=_filename(source),
        current=current,
        latest=renders.latest_render(session, round_id, source.subject) if current is None else current,
        pending=renders.is_pending(session, round_id, source.subject),
        may_see_earlier=source.own and not source.frozen,
    )


def ask_for_render(session: Session, state: PdfState, *, now: datetime) -> None:
    """A reader asked for a PDF that is not rendered yet: render it now, without the debounce."""
    renders.request_render(session, state.round_id, state.subject, now=now, debounce=timedelta(0))


def get_pdf(session: Session, state: PdfState, render_id: int | None = None) -> ReportRender | None:
    """The PDF itself: the current render, or (``render_id``) the earlier one the page offered."""
    if render_id is None:
        return renders.find_render(session, state.round_id, state.subject, state.data_key)
    if not state.may_see_earlier:
        return None
    found = session.get(ReportRender, render_id)
    if found is None or found.round_id != state.round_id or found.subject != state.subject:
        return None
    return found
