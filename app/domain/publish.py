"""Publishing a round: its reports' data are frozen in a snapshot, so the published reports are
produced again later with exactly the same content, whatever happens to the rows afterwards."""

from datetime import datetime

from sqlmodel import Session

from app.domain.access import Action, Actor, require_for_round
from app.domain.documents import shapes as s
from app.domain.documents.consolidated import build_consolidated
from app.domain.documents.council import build_council
from app.domain.documents.reading import municipality_codes, round_scope
from app.domain.documents.renders import request_renders
from app.domain.errors import NotAllowedNow, NotFound
from app.domain.reports.queries import get_report_address
from app.domain.vocabulary import RoundState
from app.models import ReportingRound, RoundSnapshot


def publish_refused(reporting_round: ReportingRound) -> NotAllowedNow | None:
    """Why the round cannot be published now, or None: it must be closed, and only once."""
    if reporting_round.state == RoundState.PUBLISHED:
        return NotAllowedNow("Runden er allerede offentliggjort.")
    if reporting_round.state != RoundState.CLOSED:
        return NotAllowedNow("Luk runden, før den offentliggøres: alle statusrapporter skal være på plads.")
    return None


def publish_round(session: Session, actor: Actor, round_id: int, *, now: datetime) -> RoundSnapshot:
    """Publish (offentliggør) a closed round: freeze the consolidated report and every
    municipality's report as they stand, mark the round published, and queue their renders."""
    reporting_round = session.get(ReportingRound, round_id)
    if reporting_round is None:
        raise NotFound("Opfølgningsrunden findes ikke.")
    require_for_round(actor, Action.PUBLISH_ROUND, round_scope(reporting_round))
    if (refusal := publish_refused(reporting_round)) is not None:
        raise refusal
    consolidated = build_consolidated(session, reporting_round).model_copy(
        update={"published_on": now.date(), "round_state": RoundState.PUBLISHED.label}
    )
    codes = municipality_codes(session, reporting_round.kkr_id)
    councils = {code: build_council(session, get_report_address(session, code, reporting_round.year)) for code in codes}
    documents = s.RoundDocuments(consolidated=consolidated, councils=councils)
    snapshot = RoundSnapshot(
        round_id=round_id,
        data=documents.model_dump_json(),
        data_key=s.data_key(documents),
        published_at=now,
        published_by_id=actor.user_id,
    )
    session.add(snapshot)
    reporting_round.state = RoundState.PUBLISHED
    session.add(reporting_round)
    session.flush()
    request_renders(session, round_id, now=now, every_municipality=codes)
    return snapshot
