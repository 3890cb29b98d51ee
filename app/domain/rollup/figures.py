"""The figures of a round: one definition of each count and share, as pure functions.

Every cell of a round (a municipality of the KKR × a recommendation that applies that year) has
exactly one ``Standing``: grøn, gul, rød, fravalgt, not reported or not confirmed. Only submitted
reports count (``data.standing_of``): a municipality that has not submitted counts as *not
reported* on every row, so the cells always add up to municipalities × recommendations and the
missing reports stay visible in the figures instead of vanishing from them.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from app.domain.vocabulary import Kind, Standing

# The order in which figures list the standings, in tables, charts and spreadsheets.
STANDINGS: tuple[Standing, ...] = (
    Standing.GREEN,
    Standing.YELLOW,
    Standing.RED,
    Standing.OPTED_OUT,
    Standing.NOT_REPORTED,
    Standing.UNCONFIRMED,
)
COLOURED = frozenset({Standing.GREEN, Standing.YELLOW, Standing.RED})


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass(frozen=True)
class Tally:
    """The counts of a set of cells (one recommendation, a focus area, a municipality, the round)."""

    green: int = 0
    yellow: int = 0
    red: int = 0
    opted_out: int = 0
    not_reported: int = 0
    unconfirmed: int = 0
    skal_green: int = 0  # SKAL cells that are green
    skal_coloured: int = 0  # SKAL cells with a colour (grøn, gul or rød)

    def count(self, standing: Standing) -> int:
        """How many cells have this standing."""
        return int(getattr(self, standing.value))

    @property
    def total(self) -> int:
        """Every cell counted, whatever its standing: the "N" of the distribution."""
        return sum(self.count(standing) for standing in STANDINGS)

    @property
    def coloured(self) -> int:
        """Cells with a colour: grøn + gul + rød. Fravalgt, not reported and not confirmed are
        not colours, so they are never counted as red (nor as anything else)."""
        return self.green + self.yellow + self.red

    @property
    def started(self) -> int:
        """ "Mindst delvist igangsat": grøn + gul."""
        return self.green + self.yellow

    def share(self, standing: Standing) -> float | None:
        """The distribution: this standing's cells out of all cells (``total``), so the six shares
        add up to 1 and the cells not reported show as a share of their own. None when empty."""
        return _share(self.count(standing), self.total)

    @property
    def started_share(self) -> float | None:
        """ "Mindst delvist igangsat" as a share: (grøn + gul) out of the cells with a colour.
        Fravalgt and not reported are left out of both sides, so they neither lower nor raise it.
        None when no cell has a colour."""
        return _share(self.started, self.coloured)

    @property
    def skal_compliance(self) -> float | None:
        """SKAL compliance: the SKAL cells that are green out of the SKAL cells with a colour
        (a SKAL row cannot be fravalgt; a municipality that did not submit is left out rather than
        counted as red). None when there is no coloured SKAL cell (a KAN recommendation, or
        nothing reported)."""
        return _share(self.skal_green, self.skal_coloured)

    def __add__(self, other: "Tally") -> "Tally":
        return Tally(
            **{name: getattr(self, name) + getattr(other, name) for name in self.__dataclass_fields__},
        )


def tally(cells: Iterable[tuple[Kind, Standing]]) -> Tally:
    """Count cells given as (the recommendation's kind, the cell's standing)."""
    counts = dict.fromkeys(STANDINGS, 0)
    skal_green = skal_coloured = 0
    for kind, standing in cells:
        counts[standing] += 1
        if kind == Kind.SKAL and standing in COLOURED:
            skal_coloured += 1
            skal_green += standing is Standing.GREEN
    return Tally(
        **{standing.value: counts[standing] for standing in STANDINGS},
        skal_green=skal_green,
        skal_coloured=skal_coloured,
    )


def percent(share: float | None) -> str:
    """A share as a Danish reader writes it: "62 %", or "–" when there is nothing to divide by."""
    return "–" if share is None else f"{round(share * 100)} %"
