"""The rollup of a KKR's rounds: counts and shares, the matrix, year over year, escalation.

- ``data``           the input, loaded in a few aggregate queries (``load_round``, ``load_history``);
- ``figures``        one definition of each count and share (``Tally``), pure;
- ``round_figures``  a round's figures per recommendation, focus area, kind, municipality, overall;
- ``change``         year over year across catalogue editions (▲ ▼ = • ny);
- ``matrix``         municipalities × recommendations with the markers, sorted and filtered;
- ``escalation``     where to act: SKAL rows red rounds in a row, the most improved;
- ``remarks``        the remarks behind a cell, a row, a column or the round;
- ``trend``          one municipality's years side by side;
- ``national``       every KKR's round of a year: the national overall and per municipality.

Every function after loading is pure, so the page, the API, the PDF and the spreadsheets print
the same figures. The ``*_for`` functions below are the entry points, with the access check.
"""

from sqlmodel import Session

from app.domain.access import Actor, require_rollup
from app.domain.errors import NotFound
from app.domain.rollup.data import load_history, load_round, round_years
from app.domain.rollup.escalation import WhereToAct, where_to_act
from app.domain.rollup.matrix import Matrix, build_matrix, parse_filter
from app.domain.rollup.remarks import Remarks, remarks_of
from app.domain.rollup.round_figures import RoundFigures, round_figures
from app.domain.rollup.trend import MunicipalityTrend, municipality_trend
from app.models import Municipality


def rollup_for(session: Session, actor: Actor, kkr_id: int, year: int) -> RoundFigures:
    """The figures of ``kkr_id``'s round for ``year``, if the actor may read them."""
    require_rollup(actor, kkr_id)
    return round_figures(load_round(session, kkr_id, year))


def matrix_for(
    session: Session,
    actor: Actor,
    kkr_id: int,
    year: int,
    *,
    focus_area: str | None = None,
    kind: str | None = None,
    sort: str | None = None,
) -> Matrix:
    """The matrix of ``kkr_id``'s round for ``year`` with markers against the round before it,
    filtered and sorted as asked (InvalidInput, in Danish, for a value that is not an option)."""
    require_rollup(actor, kkr_id)
    history = load_history(session, kkr_id, year, rounds=2)
    matrix_filter = parse_filter(history, focus_area=focus_area, kind=kind, sort=sort)
    return build_matrix(history, matrix_filter, years=tuple(round_years(session, kkr_id)))


def where_to_act_for(session: Session, actor: Actor, kkr_id: int, year: int) -> WhereToAct:
    """The escalation list and the most improved of ``kkr_id``'s round for ``year``."""
    require_rollup(actor, kkr_id)
    return where_to_act(load_history(session, kkr_id, year))


def remarks_for(
    session: Session,
    actor: Actor,
    kkr_id: int,
    year: int,
    *,
    municipality_code: int | None = None,
    recommendation_key: str | None = None,
) -> Remarks:
    """The remarks of a cell, a row, a column or the whole round (submitted reports only)."""
    require_rollup(actor, kkr_id)
    return remarks_of(
        session,
        load_round(session, kkr_id, year),
        municipality_code=municipality_code,
        recommendation_key=recommendation_key,
    )


def trend_for(session: Session, actor: Actor, municipality_code: int) -> MunicipalityTrend:
    """Every round of municipality ``municipality_code``'s KKR, side by side for that municipality."""
    municipality = session.get(Municipality, municipality_code)
    if municipality is None:
        raise NotFound(f"Kommunekode {municipality_code} findes ikke.")
    require_rollup(actor, municipality.kkr_id)
    years = round_years(session, municipality.kkr_id)
    if not years:
        raise NotFound(f"{municipality.name} Kommunes KKR har endnu ingen opfølgningsrunder.")
    return municipality_trend(load_history(session, municipality.kkr_id, years[-1]), municipality_code)
