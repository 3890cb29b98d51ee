"""The rollup of a KKR's rounds: counts and shares, the matrix, year over year, escalation.

- ``data``           the input, loaded in a few aggregate queries (``load_round``, ``load_history``);
- ``figures``        one definition of each count and share (``Tally``), pure;
- ``round_figures``  a round's figures per recommendation, focus area, kind, municipality, overall;
- ``change``         year over year across catalogue editions (▲ ▼ = • ny);
- ``matrix``         municipalities × recommendations with the markers, sorted and filtered;
- ``escalation``     where to act: SKAL rows red rounds in a row, the most improved;
- ``trend``          one municipality's years side by side.

Every function after loading is pure, so the page, the API, the PDF and the spreadsheets print
the same figures. ``rollup_for`` is the entry point with the access check.
"""

from sqlmodel import Session

from app.domain.access import Actor, require_rollup
from app.domain.rollup.data import load_round
from app.domain.rollup.round_figures import RoundFigures, round_figures


def rollup_for(session: Session, actor: Actor, kkr_id: int, year: int) -> RoundFigures:
    """The figures of ``kkr_id``'s round for ``year``, if the actor may read them."""
    require_rollup(actor, kkr_id)
    return round_figures(load_round(session, kkr_id, year))
