"""The rollup's input, loaded in a few aggregate queries, whatever the number of rounds.

Everything after loading is pure: the figures, the matrix, year over year and the escalation
list are functions of these frozen records, so the page, the API, the PDF and the spreadsheets
compute the same numbers from the same data.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

from sqlmodel import Session, col, select

from app.domain.errors import NotFound
from app.domain.text import danish_sort_key
from app.domain.vocabulary import Colour, Kind, ReportState, RoundState, Standing
from app.models import (
    Catalogue,
    FocusArea,
    Kkr,
    Municipality,
    Recommendation,
    RecommendationReplacement,
    ReportingRound,
    StatusEntry,
    StatusReport,
)

# (municipality code, recommendation id): one cell of a round.
CellKey = tuple[int, int]

# The reports that count: handed in and not handed back (submitted, or approved after review; a
# report sent back is open again and does not), by the vocabulary's own rule.
COUNTED_STATES = tuple(state for state in ReportState if state.is_submitted)


@dataclass(frozen=True)
class RoundInfo:
    id: int
    kkr_id: int
    kkr_name: str
    year: int
    state: RoundState
    catalogue_id: int
    catalogue_key: str
    catalogue_title: str


@dataclass(frozen=True)
class FocusAreaInfo:
    id: int
    key: str
    title: str
    position: int


@dataclass(frozen=True)
class RecommendationInfo:
    id: int
    key: str
    kind: Kind
    text: str
    position: int
    focus_area: FocusAreaInfo

    @property
    def label(self) -> str:
        """A short name for a column header: the id's last part, "hov15-v1" -> "V1"."""
        return self.key.rsplit("-", 1)[-1].upper()


@dataclass(frozen=True)
class MunicipalityInfo:
    code: int
    name: str


@dataclass(frozen=True)
class RoundData:
    """One round as the rollup sees it: its recommendations in catalogue order, the KKR's
    municipalities in Danish order, which of them submitted, and the standing of every cell."""

    round: RoundInfo
    recommendations: tuple[RecommendationInfo, ...]
    municipalities: tuple[MunicipalityInfo, ...]
    submitted: frozenset[int]  # codes of the municipalities whose report is submitted
    standings: Mapping[CellKey, Standing]  # cells of submitted reports only

    @cached_property
    def focus_areas(self) -> tuple[FocusAreaInfo, ...]:
        """The focus areas that have recommendations this year, in catalogue order."""
        seen: dict[int, FocusAreaInfo] = {}
        for rec in self.recommendations:
            seen.setdefault(rec.focus_area.id, rec.focus_area)
        return tuple(sorted(seen.values(), key=lambda area: area.position))

    @cached_property
    def recommendation_ids(self) -> frozenset[int]:
        return frozenset(rec.id for rec in self.recommendations)

    def standing(self, municipality_code: int, recommendation_id: int) -> Standing:
        """A cell's standing; every cell of a municipality that did not submit is not reported."""
        return self.standings.get((municipality_code, recommendation_id), Standing.NOT_REPORTED)


@dataclass(frozen=True)
class KkrHistory:
    """A KKR's rounds up to a year, oldest first, with the replacement links between editions."""

    rounds: tuple[RoundData, ...]
    replaced: Mapping[int, tuple[int, ...]]  # replacement id -> the ids it replaces

    @property
    def current(self) -> RoundData:
        return self.rounds[-1]

    @property
    def previous(self) -> RoundData | None:
        return self.rounds[-2] if len(self.rounds) > 1 else None


def standing_of(*, submitted: bool, colour: Colour | None, opted_out: bool, confirmed: bool) -> Standing:
    """What a row counts as. Only the rows of a report handed in count (``COUNTED_STATES``): a
    report in progress may still change, and an editor must never read another municipality's
    unsubmitted rows through a figure. So every row of a report not handed in, or of a
    municipality that never started one, is *not reported*. In a report handed in: fravalgt, else
    not confirmed (a carried-over row nobody confirmed is last year's word, not this year's), else
    its colour, else (a KAN row left empty) not reported."""
    if not submitted:
        return Standing.NOT_REPORTED
    if opted_out:
        return Standing.OPTED_OUT
    if not confirmed:
        return Standing.UNCONFIRMED
    if colour is None:
        return Standing.NOT_REPORTED
    return Standing.of_colour(colour)


def round_years(session: Session, kkr_id: int) -> list[int]:
    """The status years of a KKR's rounds, oldest first."""
    return list(
        session.exec(
            select(ReportingRound.year).where(ReportingRound.kkr_id == kkr_id).order_by(col(ReportingRound.year))
        )
    )


def get_kkr_name(session: Session, kkr_id: int) -> str:
    kkr = session.get(Kkr, kkr_id)
    if kkr is None:
        raise NotFound("KKR'en findes ikke.")
    return kkr.name


def load_history(session: Session, kkr_id: int, year: int, *, rounds: int | None = None) -> KkrHistory:
    """The KKR's rounds up to and including ``year`` (the last ``rounds`` of them, or all), in
    six queries whatever their number. NotFound, in Danish, when there is no round for ``year``."""
    round_rows = session.exec(
        select(ReportingRound, Catalogue, Kkr)
        .join(Catalogue, col(Catalogue.id) == ReportingRound.catalogue_id)
        .join(Kkr, col(Kkr.id) == ReportingRound.kkr_id)
        .where(ReportingRound.kkr_id == kkr_id)
        .where(ReportingRound.year <= year)
        .order_by(col(ReportingRound.year))
    ).all()
    if not round_rows or round_rows[-1][0].year != year:
        kkr = session.get(Kkr, kkr_id)
        where = kkr.name if kkr else "Denne KKR"
        raise NotFound(f"{where} har ingen opfølgningsrunde for {year}.")
    if rounds is not None:
        round_rows = round_rows[-rounds:]
    infos = [_round_info(reporting_round, catalogue, kkr) for reporting_round, catalogue, kkr in round_rows]
    recommendations = _recommendations(session, {info.catalogue_id for info in infos})
    municipalities = _municipalities(session, kkr_id)
    round_ids = [info.id for info in infos]
    submitted: dict[int, set[int]] = {round_id: set() for round_id in round_ids}
    for round_id, code in session.exec(
        select(StatusReport.round_id, StatusReport.municipality_code)
        .where(col(StatusReport.round_id).in_(round_ids))
        .where(col(StatusReport.state).in_(COUNTED_STATES))
    ):
        submitted[round_id].add(code)
    standings: dict[int, dict[CellKey, Standing]] = {round_id: {} for round_id in round_ids}
    for round_id, code, rec_id, colour, opted_out, confirmed in session.exec(
        select(  # type: ignore[call-overload]  # SQLModel's select() is typed for at most four columns
            StatusReport.round_id,
            StatusReport.municipality_code,
            StatusEntry.recommendation_id,
            StatusEntry.colour,
            StatusEntry.opted_out,
            StatusEntry.confirmed,
        )
        .join(StatusReport, col(StatusReport.id) == StatusEntry.report_id)
        .where(col(StatusReport.round_id).in_(round_ids))
        .where(col(StatusReport.state).in_(COUNTED_STATES))
    ):
        standings[round_id][(code, rec_id)] = standing_of(
            submitted=True, colour=colour, opted_out=opted_out, confirmed=confirmed
        )
    replaced: dict[int, list[int]] = {}
    for replaced_id, replacement_id in session.exec(
        select(RecommendationReplacement.replaced_id, RecommendationReplacement.replacement_id)
    ):
        replaced.setdefault(replacement_id, []).append(replaced_id)
    return KkrHistory(
        rounds=tuple(
            RoundData(
                round=info,
                recommendations=tuple(
                    rec[0] for rec in recommendations.get(info.catalogue_id, []) if _applies(rec, info.year)
                ),
                municipalities=municipalities,
                submitted=frozenset(submitted[info.id]),
                standings=standings[info.id],
            )
            for info in infos
        ),
        replaced={key: tuple(sorted(ids)) for key, ids in replaced.items()},
    )


def load_round(session: Session, kkr_id: int, year: int) -> RoundData:
    """One round's data (NotFound, in Danish, when the KKR has no round for ``year``)."""
    return load_history(session, kkr_id, year, rounds=1).current


# A recommendation with the years it applies to, before they are dropped from the record.
_Applicable = tuple[RecommendationInfo, int, int | None]


def _applies(rec: _Applicable, year: int) -> bool:
    _info, first_year, last_year = rec
    return first_year <= year and (last_year is None or year <= last_year)


def _round_info(reporting_round: ReportingRound, catalogue: Catalogue, kkr: Kkr) -> RoundInfo:
    assert reporting_round.id is not None and catalogue.id is not None
    return RoundInfo(
        id=reporting_round.id,
        kkr_id=reporting_round.kkr_id,
        kkr_name=kkr.name,
        year=reporting_round.year,
        state=reporting_round.state,
        catalogue_id=catalogue.id,
        catalogue_key=catalogue.key,
        catalogue_title=catalogue.title,
    )


def _recommendations(session: Session, catalogue_ids: set[int]) -> dict[int, list[_Applicable]]:
    by_catalogue: dict[int, list[_Applicable]] = {}
    for rec, area in session.exec(
        select(Recommendation, FocusArea)
        .join(FocusArea, col(FocusArea.id) == Recommendation.focus_area_id)
        .where(col(Recommendation.catalogue_id).in_(catalogue_ids))
        .order_by(col(FocusArea.position), col(Recommendation.position))
    ):
        assert rec.id is not None and area.id is not None
        info = RecommendationInfo(
            id=rec.id,
            key=rec.key,
            kind=rec.kind,
            text=rec.text,
            position=rec.position,
            focus_area=FocusAreaInfo(area.id, area.key, area.title, area.position),
        )
        by_catalogue.setdefault(rec.catalogue_id, []).append((info, rec.first_year, rec.last_year))
    return by_catalogue


def _municipalities(session: Session, kkr_id: int) -> tuple[MunicipalityInfo, ...]:
    found: Sequence[tuple[int, str]] = session.exec(
        select(Municipality.code, Municipality.name).where(Municipality.kkr_id == kkr_id)
    ).all()
    return tuple(MunicipalityInfo(code, name) for code, name in sorted(found, key=lambda row: danish_sort_key(row[1])))
