"""Reporting rounds: one per KKR and status year."""

import enum
from datetime import date, datetime

from sqlmodel import Session, select

from app.domain.errors import InvalidInput, NotFound
from app.models import Catalogue, Kkr, ReportingRound


class RoundState(enum.StrEnum):
    PLANNED = "planned"
    OPEN = "open"
    CLOSED = "closed"
    PUBLISHED = "published"

    @property
    def label(self) -> str:
        return {
            "planned": "Planlagt",
            "open": "Åben",
            "closed": "Lukket",
            "published": "Offentliggjort",
        }[self.value]


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
    kkr = session.exec(select(Kkr).where(Kkr.name == kkr_name)).first()
    if kkr is None:
        raise InvalidInput(f"Ukendt KKR {kkr_name!r}.", field="kkr")
    catalogue = session.exec(select(Catalogue).where(Catalogue.key == catalogue_key)).first()
    if catalogue is None or catalogue.kkr_id != kkr.id:
        raise InvalidInput(f"{kkr_name} har intet katalog {catalogue_key!r}.", field="catalogue")
    if deadline < opens_on:
        raise InvalidInput("Fristen ligger før åbningsdatoen.", field="deadline")
    existing = session.exec(
        select(ReportingRound).where(ReportingRound.kkr_id == kkr.id).where(ReportingRound.year == year)
    ).first()
    if existing is not None:
        raise InvalidInput(f"{kkr_name} har allerede en runde for {year}.", field="year")
    assert kkr.id is not None and catalogue.id is not None
    reporting_round = ReportingRound(
        kkr_id=kkr.id,
        catalogue_id=catalogue.id,
        year=year,
        opens_on=opens_on,
        deadline=deadline,
        state=state.value,
        created_at=now,
    )
    session.add(reporting_round)
    session.flush()
    return reporting_round


def round_for(session: Session, kkr_id: int, year: int) -> ReportingRound:
    found = session.exec(
        select(ReportingRound).where(ReportingRound.kkr_id == kkr_id).where(ReportingRound.year == year)
    ).first()
    if found is None:
        raise NotFound(f"Der er ingen opfølgningsrunde for {year}.")
    return found
