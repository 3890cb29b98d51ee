"""The content of the reports, as plain typed data.

Everything a report prints is in these shapes and nothing else, so a hash of one (``data_key``)
names exactly what a rendered PDF shows, and publishing can freeze a round by storing them.
"""

import hashlib
from datetime import date

from pydantic import BaseModel, ConfigDict

from app.domain.rollup.figures import STANDINGS, Tally, percent
from app.domain.vocabulary import Change, Kind, Standing

# Bump when the templates change what a report shows from the same data, so that old renders
# are no longer taken for current ones.
LAYOUT_VERSION = "1"


class Shape(BaseModel):
    model_config = ConfigDict(frozen=True)


class Distribution(Shape):
    """How a set of cells is spread over the standings: ``rollup.figures.Tally``, frozen."""

    green: int = 0
    yellow: int = 0
    red: int = 0
    opted_out: int = 0  # fravalgt: counted apart from red
    not_reported: int = 0  # no colour, or no submitted report
    unconfirmed: int = 0  # carried over from last year, neither confirmed nor changed

    @classmethod
    def of(cls, tally: Tally) -> "Distribution":
        return cls(**{standing.value: tally.count(standing) for standing in STANDINGS})

    def count(self, standing: Standing) -> int:
        return int(getattr(self, standing.value))

    @property
    def total(self) -> int:
        return sum(self.count(standing) for standing in STANDINGS)

    @property
    def coloured(self) -> int:
        return self.green + self.yellow + self.red

    @property
    def started(self) -> int:
        """Mindst delvist igangsat: grøn + gul."""
        return self.green + self.yellow

    @property
    def green_percent(self) -> str:
        """Grøn out of the cells with a colour: for SKAL rows, the rollup's SKAL compliance."""
        return percent(self.green / self.coloured if self.coloured else None).replace(" ", "\u00a0")

    @property
    def parts(self) -> list[tuple[Standing, int]]:
        """The standings in the rollup's order, with their counts, for tables and charts."""
        return [(standing, self.count(standing)) for standing in STANDINGS]

    @property
    def started_percent(self) -> str:
        """Grøn + gul out of the cells with a colour, as the rollup defines it ("93 %", kept on
        one line)."""
        return percent(self.started / self.coloured if self.coloured else None).replace(" ", "\u00a0")


SHORT_LABELS = {
    Standing.GREEN: "Grøn",
    Standing.YELLOW: "Gul",
    Standing.RED: "Rød",
    Standing.OPTED_OUT: "Fravalgt",
    Standing.NOT_REPORTED: "Ikke indb.",
    Standing.UNCONFIRMED: "Ikke bekr.",
}


class Status(Shape):
    """One municipality's standing for one recommendation, as a report prints it."""

    standing: Standing

    @property
    def label(self) -> str:
        return self.standing.label

    @property
    def shape(self) -> str:
        return self.standing.shape

    @property
    def css(self) -> str:
        return self.standing.value.replace("_", "-")


class RecommendationLine(Shape):
    key: str
    number: int  # its number in the report, 1 ... n in catalogue order
    kind: Kind
    text: str
    distribution: Distribution = Distribution()


class FocusAreaPart(Shape):
    key: str
    title: str
    intro: str
    recommendations: list[RecommendationLine]
    observations: str = ""  # the coordinator's text for this focus area
    distribution: Distribution = Distribution()


class MatrixCell(Shape):
    status: Status
    change: Change | None = None  # None: nothing to compare with
    note: str = ""  # how the comparison was made, in Danish


class MatrixRow(Shape):
    code: int
    name: str
    cells: list[MatrixCell]  # one per recommendation, in the order of the report's numbers
    distribution: Distribution = Distribution()


class Escalation(Shape):
    municipality: str
    number: int
    recommendation: str
    reason: str


class Improvement(Shape):
    name: str
    better: int
    worse: int


class WhereToActPart(Shape):
    escalations: list[Escalation]
    improved: list[Improvement]  # the most improved municipalities since the previous round
    no_previous_round: str = ""  # why there is nothing to compare with, or ""


class Remark(Shape):
    municipality: str
    status: Status
    text: str


class RemarksFor(Shape):
    number: int
    kind: Kind
    text: str
    remarks: list[Remark]


class Absent(Shape):
    code: int
    name: str
    state: str  # the Danish label: "Ikke startet", "I gang"


class AnnexGuideline(Shape):
    title: str
    text: str


class AnnexArea(Shape):
    title: str
    intro: str
    recommendations: list[RecommendationLine]


class CoordinatorTexts(Shape):
    summary: str = ""
    adjustments: str = ""
    new_recommendations: str = ""


class ConsolidatedReport(Shape):
    """The samlet afrapportering for one KKR and one status year."""

    kkr: str
    year: int
    catalogue_title: str
    catalogue_adopted_on: date
    as_of: date  # the date of the newest change the report shows
    round_state: str
    published_on: date | None = None
    colour_meanings: dict[str, str]
    municipalities: int
    submitted: int
    overall: Distribution
    skal: Distribution
    kan: Distribution
    unconfirmed_rows: int
    missing_rows: int
    focus_areas: list[FocusAreaPart]
    matrix: list[MatrixRow]
    previous_year: int | None
    where_to_act: WhereToActPart
    remarks: list[RemarksFor]
    absent: list[Absent]
    texts: CoordinatorTexts
    guidelines: list[AnnexGuideline]
    annex: list[AnnexArea]

    @property
    def recommendations(self) -> list[RecommendationLine]:
        return [rec for area in self.focus_areas for rec in area.recommendations]


class CouncilRow(Shape):
    number: int
    kind: Kind
    text: str
    status: Status
    remark: str
    opt_out_reason: str
    confirmed: bool
    last_year: Status | None  # None: no status last year
    kkr: Distribution | None  # the KKR-wide distribution, once the round has closed


class CouncilArea(Shape):
    title: str
    rows: list[CouncilRow]


class CouncilReport(Shape):
    """One municipality's report for its council: the Fremdriftsskema filled in."""

    municipality: str
    code: int
    kkr: str
    year: int
    catalogue_title: str
    as_of: date
    state: str
    submitted_on: date | None
    committee_name: str
    committee_date: date | None
    agenda_url: str
    colour_meanings: dict[str, str]
    areas: list[CouncilArea]
    shows_kkr: bool
    kkr_submitted: int
    kkr_municipalities: int

    @property
    def rows(self) -> list[CouncilRow]:
        return [row for area in self.areas for row in area.rows]


class RoundDocuments(Shape):
    """Every report of a round: what publishing freezes."""

    consolidated: ConsolidatedReport
    councils: dict[int, CouncilReport]  # by municipality code


def data_key(shape: Shape) -> str:
    """A hash naming exactly what ``shape`` shows (and the layout that shows it)."""
    return hashlib.sha256((LAYOUT_VERSION + shape.model_dump_json()).encode()).hexdigest()
