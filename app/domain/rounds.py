"""Reporting rounds: one per KKR and status year."""

from datetime import date, datetime

from sqlmodel import Session, select

from app.domain.errors import InvalidInput, NotFound
from app.domain.municipalities import find_kkr
from app.domain.vocabulary import RoundState
from app.models import Catalogue, ReportingRound


def create_round(
    session: Session,
    *,
    kkr_name: str,
    catalogue_key: str,
    year: int,
    opens_on: date,
    deadline: date,
    state: RoundState,
    now: datetime,
) -> ReportingRound:
    """Create the round for ``year`` (the status year) of a KKR, against one of its catalogues."""
    kkr = find_kkr(session, kkr_name)
    if kkr is None:
        raise InvalidInput(f"Ukendt KKR {kkr_name!r}.", field="kkr")
    catalogue = session.exec(select(Catalogue).where(Catalogue.key == catalogue_key)).first()
    if catalogue is None or catalogue.kkr_id != kkr.id:
        raise InvalidInput(f"{kkr_name} har intet katalog {catalogue_key!r}.", field="catalogue")
    if deadline < opens_on:
        raise InvalidInput("Fristen ligger før åbningsdatoen.", field="deadline")
    assert kkr.id is not None
    if find_round(session, kkr.id, year) is not None:
        raise InvalidInput(f"{kkr_name} har allerede en runde for {year}.", field="year")
    assert catalogue.id is not None
    reporting_round = ReportingRound(
        kkr_id=kkr.id,
        catalogue_id=catalogue.id,
        year=year,
        opens_on=opens_on,
        deadline=deadline,
        state=state,
        created_at=now,
    )
    session.add(reporting_round)
    session.flush()
    return reporting_round


def find_round(session: Session, kkr_id: int, year: int) -> ReportingRound | None:
    return session.exec(
        select(ReportingRound).where(ReportingRound.kkr_id == kkr_id).where(ReportingRound.year == year)
    ).first()


def get_round(session: Session, kkr_id: int, year: int) -> ReportingRound:
    found = find_round(session, kkr_id, year)
    if found is None:
        raise NotFound(f"Der er ingen opfølgningsrunde for {year}.")
    return found
