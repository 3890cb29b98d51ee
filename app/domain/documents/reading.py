"""Which data a report shows: a published round's frozen snapshot, or else the live data; and
who may read it (``access``)."""

from dataclasses import dataclass, replace

from sqlmodel import Session, select

from app.domain.access import Action, Actor, RoundScope, is_allowed, is_allowed_for_round, require, require_for_round
from app.domain.documents import shapes as s
from app.domain.documents.consolidated import build_consolidated
from app.domain.documents.council import build_council
from app.domain.documents.renders import KKR, municipality_subject
from app.domain.errors import NotFound
from app.domain.municipalities import find_kkr
from app.domain.reports.queries import ReportAddress, get_report_address
from app.domain.reports.rules import scope_of
from app.domain.rounds import get_round
from app.domain.vocabulary import RoundState
from app.models import Municipality, ReportingRound, RoundSnapshot


def round_scope(reporting_round: ReportingRound) -> RoundScope:
    return RoundScope(reporting_round.kkr_id, reporting_round.state == RoundState.PUBLISHED)


def find_snapshot(session: Session, round_id: int) -> s.RoundDocuments | None:
    snapshot = session.get(RoundSnapshot, round_id)
    return s.RoundDocuments.model_validate_json(snapshot.data) if snapshot else None


@dataclass(frozen=True)
class Consolidated:
    round: ReportingRound
    report: s.ConsolidatedReport
    frozen: bool  # from the published snapshot
    # The reader works on it (the KKR's coordinator): may be offered an earlier render of it.
    own: bool = False

    @property
    def subject(self) -> str:
        return KKR


@dataclass(frozen=True)
class Council:
    address: ReportAddress
    report: s.CouncilReport
    frozen: bool
    # The reader works on it (the municipality itself): may be offered an earlier render of it,
    # which can show rows from before the report was submitted.
    own: bool = False

    @property
    def subject(self) -> str:
        return municipality_subject(self.address.municipality.code)


def consolidated_of(session: Session, reporting_round: ReportingRound) -> Consolidated:
    """The round's consolidated report: frozen once published, else from the live data."""
    assert reporting_round.id is not None
    snapshot = find_snapshot(session, reporting_round.id)
    if snapshot is not None:
        return Consolidated(reporting_round, snapshot.consolidated, True)
    return Consolidated(reporting_round, build_consolidated(session, reporting_round), False)


def council_of(session: Session, address: ReportAddress) -> Council:
    assert address.round.id is not None
    snapshot = find_snapshot(session, address.round.id)
    if snapshot is not None and address.municipality.code in snapshot.councils:
        return Council(address, snapshot.councils[address.municipality.code], True)
    return Council(address, build_council(session, address), False)


def get_round_of_kkr(session: Session, kkr_name: str, year: int) -> ReportingRound:
    kkr = find_kkr(session, kkr_name)
    if kkr is None or kkr.id is None:
        raise NotFound(f"Ukendt KKR {kkr_name!r}.")
    return get_round(session, kkr.id, year)


def consolidated_for(session: Session, actor: Actor, round_id: int) -> Consolidated:
    """The consolidated report of a round, if the actor may read it."""
    reporting_round = session.get(ReportingRound, round_id)
    if reporting_round is None:
        raise NotFound("Opfølgningsrunden findes ikke.")
    require_for_round(actor, Action.VIEW_ROUND_REPORT, round_scope(reporting_round))
    own = is_allowed_for_round(actor, Action.WRITE_ROUND_TEXTS, round_scope(reporting_round))
    return replace(consolidated_of(session, reporting_round), own=own)


def council_for(session: Session, actor: Actor, municipality_code: int, year: int) -> Council:
    """A municipality's report for its council, if the actor may read the municipality's report."""
    address = get_report_address(session, municipality_code, year)
    scope = scope_of(address.municipality, address.report)
    require(actor, Action.VIEW_REPORT, scope)
    return replace(council_of(session, address), own=is_allowed(actor, Action.EDIT_REPORT, scope))


def document_of(session: Session, round_id: int, subject: str) -> s.ConsolidatedReport | s.CouncilReport:
    """What a render of ``subject`` shows (for the worker, which renders for every reader)."""
    reporting_round = session.get(ReportingRound, round_id)
    if reporting_round is None:
        raise NotFound("Opfølgningsrunden findes ikke.")
    if subject == KKR:
        return consolidated_of(session, reporting_round).report
    code = int(subject.split(":", 1)[1])
    return council_of(session, get_report_address(session, code, reporting_round.year)).report


def municipality_codes(session: Session, kkr_id: int) -> list[int]:
    return list(session.exec(select(Municipality.code).where(Municipality.kkr_id == kkr_id)))
